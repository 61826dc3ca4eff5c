/**
 * The placeholder grammar, shared by the template renderer and its tests.
 *
 *   ${NAME}            value of NAME
 *   ${NAME:-default}   value of NAME, or `default` when NAME is unset OR empty (sh `:-`)
 *   $$                 a literal `$`
 *   $NAME              text, unchanged (style 'braced', the default); value of NAME, longest
 *                      name match like sh (style 'braced-and-bare')
 *   `$` followed by anything else stays a literal `$`.
 *
 * Bare `$NAME` is text by default because filled manifests run shell commands such as
 * `/bin/bash -c "… -S $CONTROL_OCCPLUGIN_ROOT/lib/"` whose variables belong to the container's
 * shell, not to the task: expanding them would fail (missing) or, worse, fill in a wrong value.
 *
 * Names are `[A-Za-z_][A-Za-z0-9_]*`. Defaults are literal text: they end at the first `}` and
 * may not contain `${` (no nesting), so that a typo can never silently eat the rest of a value.
 */

export type Segment =
  | { readonly kind: 'text'; readonly text: string; readonly offset: number }
  | {
      readonly kind: 'var';
      readonly name: string;
      /** undefined: no `:-` clause. '' is a real (empty) default. */
      readonly fallback: string | undefined;
      /** the placeholder as written, e.g. `${A:-b}` */
      readonly raw: string;
      readonly offset: number;
    };

/** 'braced': only `${…}` and `$$`; 'braced-and-bare': also `$NAME` (os.ExpandEnv's grammar). */
export type PlaceholderStyle = 'braced' | 'braced-and-bare';

export const PLACEHOLDER_STYLES: readonly PlaceholderStyle[] = ['braced', 'braced-and-bare'];

export type ScanResult =
  | { readonly kind: 'ok'; readonly segments: readonly Segment[] }
  | { readonly kind: 'malformed'; readonly raw: string; readonly offset: number };

const NAME_START = /[A-Za-z_]/;
const NAME_REST = /[A-Za-z0-9_]/;

function readName(text: string, from: number): number {
  if (from >= text.length || !NAME_START.test(text.charAt(from))) return from;
  let end = from + 1;
  while (end < text.length && NAME_REST.test(text.charAt(end))) end += 1;
  return end;
}

/** Splits a string into literal text and variable references. */
export function scanPlaceholders(text: string, style: PlaceholderStyle = 'braced'): ScanResult {
  const segments: Segment[] = [];
  let buffer = '';
  let bufferStart = 0;
  const flush = (): void => {
    if (buffer !== '') segments.push({ kind: 'text', text: buffer, offset: bufferStart });
    buffer = '';
  };
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch !== '$') {
      if (buffer === '') bufferStart = i;
      buffer += ch;
      i += 1;
      continue;
    }
    const next = text.charAt(i + 1);
    if (next === '$') {
      if (buffer === '') bufferStart = i;
      buffer += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const nameEnd = readName(text, i + 2);
      const close = text.indexOf('}', i + 2);
      const rawToClose = close === -1 ? text.slice(i) : text.slice(i, close + 1);
      if (nameEnd === i + 2 || close === -1) return { kind: 'malformed', raw: shorten(rawToClose), offset: i };
      const name = text.slice(i + 2, nameEnd);
      let fallback: string | undefined;
      if (nameEnd === close) {
        fallback = undefined;
      } else if (text.startsWith(':-', nameEnd)) {
        fallback = text.slice(nameEnd + 2, close);
        if (fallback.includes('${')) return { kind: 'malformed', raw: shorten(rawToClose), offset: i };
      } else {
        return { kind: 'malformed', raw: shorten(rawToClose), offset: i };
      }
      flush();
      segments.push({ kind: 'var', name, fallback, raw: text.slice(i, close + 1), offset: i });
      i = close + 1;
      continue;
    }
    const nameEnd = style === 'braced-and-bare' ? readName(text, i + 1) : i + 1;
    if (nameEnd > i + 1) {
      flush();
      const raw = text.slice(i, nameEnd);
      segments.push({ kind: 'var', name: raw.slice(1), fallback: undefined, raw, offset: i });
      i = nameEnd;
      continue;
    }
    if (buffer === '') bufferStart = i;
    buffer += '$';
    i += 1;
  }
  flush();
  return { kind: 'ok', segments };
}

function shorten(raw: string): string {
  return raw.length > 40 ? `${raw.slice(0, 37)}...` : raw;
}

/** True when the string holds anything the renderer must look at. */
export function hasDollar(text: string): boolean {
  return text.includes('$');
}

export type Resolution = { readonly kind: 'value'; readonly value: string } | { readonly kind: 'missing' };

/** Resolves one reference with sh `:-` semantics. */
export function resolveVar(segment: Extract<Segment, { kind: 'var' }>, env: Readonly<Record<string, string | undefined>>): Resolution {
  const value = Object.hasOwn(env, segment.name) ? env[segment.name] : undefined;
  if (segment.fallback !== undefined) {
    return { kind: 'value', value: value === undefined || value === '' ? segment.fallback : value };
  }
  return value === undefined ? { kind: 'missing' } : { kind: 'value', value };
}
