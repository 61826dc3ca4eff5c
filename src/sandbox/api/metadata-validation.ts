/**
 * ObjectMeta checks the apiserver runs on every create and update (apimachinery's
 * ValidateLabels / ValidateAnnotations), with its exact wording.
 */
import type { JsonObject } from '../../json.ts';
import { meta, str } from '../core/objects.ts';
import { isJsonObject } from '../../json.ts';
import { invalid, type FieldCause } from '../core/field.ts';

const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const LABEL_VALUE = new RegExp(`^(${QUALIFIED_NAME_FMT})?$`);
const SUBDOMAIN_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const SUBDOMAIN = new RegExp(`^${SUBDOMAIN_FMT}$`);
const MAX_ANNOTATION_BYTES = 256 * 1024;

/** validation.RegexError: `msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')`. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

const maxLen = (n: number): string => `must be no more than ${n} characters`;

/** validation.IsQualifiedName. */
function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  if (parts.length > 2) {
    return [`a qualified name ${regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix === '') errs.push('prefix part must be non-empty');
    else {
      if (prefix.length > 253) errs.push(`prefix part ${maxLen(253)}`);
      if (!SUBDOMAIN.test(prefix)) {
        errs.push(`prefix part ${regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", SUBDOMAIN_FMT, 'example.com')}`);
      }
    }
  }
  if (name === '') errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLen(63)}`);
  if (!QUALIFIED_NAME.test(name)) {
    errs.push(`name part ${regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  }
  return errs;
}

/** validation.IsValidLabelValue. */
function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!LABEL_VALUE.test(value)) {
    errs.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", `(${QUALIFIED_NAME_FMT})?`, 'MyValue', 'my_value', '12345'));
  }
  return errs;
}

function labelCauses(labels: JsonObject): FieldCause[] {
  const out: FieldCause[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const e of qualifiedNameErrors(k)) out.push(invalid('metadata.labels', k, e));
    for (const e of labelValueErrors(str(v))) out.push(invalid('metadata.labels', str(v), e));
  }
  return out;
}

/** Annotation keys are qualified names in any case; all keys and values together stay within 256 KiB. */
function annotationCauses(annotations: JsonObject): FieldCause[] {
  const out: FieldCause[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const e of qualifiedNameErrors(k.toLowerCase())) out.push(invalid('metadata.annotations', k, e));
    size += Buffer.byteLength(k) + Buffer.byteLength(str(v));
  }
  if (size > MAX_ANNOTATION_BYTES) {
    out.push({ reason: 'FieldValueTooLong', message: `Too long: must have at most ${MAX_ANNOTATION_BYTES} bytes`, field: 'metadata.annotations' });
  }
  return out;
}

export function metadataCauses(obj: JsonObject): FieldCause[] {
  const m = meta(obj);
  const labels = m['labels'];
  const annotations = m['annotations'];
  return [...(isJsonObject(labels) ? labelCauses(labels) : []), ...(isJsonObject(annotations) ? annotationCauses(annotations) : [])];
}
