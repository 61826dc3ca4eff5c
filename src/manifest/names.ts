/**
 * Kubernetes name and label-value sanitising.
 *
 * Names: lower case, invalid characters replaced by `-`, at most 63 characters. Only a name that
 * had to be TRUNCATED (or lost every character) gets a short stable suffix from the ORIGINAL's
 * sha256, so two long names sharing a prefix never collapse; `MyTask` simply becomes `mytask`.
 * Two names that differ only in case or invalid characters map to the same name: buildManifest
 * reports such a clash as two documents naming the same object.
 *
 * Label values keep the suffix whenever they change: the task-id label selects a task's objects,
 * so two distinct task ids must never share a label value.
 */
import { createHash } from 'node:crypto';

export type NameStyle =
  /** DNS-1123 subdomain (most objects, Task included), capped at 63 for use in labels/pods. */
  | 'subdomain'
  /** DNS-1123 label: no dots. */
  | 'label'
  /** RFC 1035 label (Services): no dots, starts with a letter. */
  | 'dns1035';

const MAX = 63;
const SUFFIX_LEN = 5;

export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, SUFFIX_LEN);
}

export function isValidName(name: string, style: NameStyle = 'subdomain'): boolean {
  if (name.length === 0 || name.length > MAX) return false;
  const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  if (style === 'subdomain') return name.split('.').every((part) => label.test(part));
  if (style === 'dns1035') return label.test(name) && /^[a-z]/.test(name);
  return label.test(name);
}

export function sanitizeName(name: string, options: { readonly style?: NameStyle } = {}): string {
  const style = options.style ?? 'subdomain';
  if (isValidName(name, style)) return name;
  const allowed = style === 'subdomain' ? /[^a-z0-9.-]/g : /[^a-z0-9-]/g;
  let base = name.toLowerCase().replace(allowed, '-');
  if (style === 'subdomain') {
    base = base
      .split('.')
      .map(trimLabel)
      .filter((p) => p !== '')
      .join('.');
  } else {
    base = trimLabel(base);
  }
  if (style === 'dns1035' && base !== '' && !/^[a-z]/.test(base)) base = `x-${base}`;
  if (base !== '' && base.length <= MAX) return base;
  base = trimEnd(base.slice(0, MAX - SUFFIX_LEN - 1));
  return `${base === '' ? 'x' : base}-${shortHash(name)}`;
}

/** Label values: `[A-Za-z0-9._-]`, alphanumeric at both ends, at most 63; '' stays ''. */
export function sanitizeLabelValue(value: string): string {
  if (value === '' || (value.length <= MAX && /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/.test(value))) return value;
  let base = value.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  base = base.slice(0, MAX - SUFFIX_LEN - 1).replace(/[^A-Za-z0-9]+$/, '');
  return `${base === '' ? 'x' : base}-${shortHash(value)}`;
}

function trimLabel(part: string): string {
  return part.replace(/^-+/, '').replace(/-+$/, '');
}

function trimEnd(text: string): string {
  return text.replace(/[-.]+$/, '');
}
