/**
 * ObjectMeta checks the apiserver runs on every create and update (apimachinery's
 * ValidateLabels / ValidateAnnotations), with its exact wording.
 */
import type { JsonObject } from '../../json.ts';
import { meta, str } from '../core/objects.ts';
import { isJsonObject } from '../../json.ts';
import { invalid, type FieldCause } from '../core/field.ts';
import { isQualifiedName, isValidLabelValue } from '../core/names.ts';

const MAX_ANNOTATION_BYTES = 256 * 1024;

function labelCauses(labels: JsonObject): FieldCause[] {
  const out: FieldCause[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const e of isQualifiedName(k)) out.push(invalid('metadata.labels', k, e));
    for (const e of isValidLabelValue(str(v))) out.push(invalid('metadata.labels', str(v), e));
  }
  return out;
}

/** Annotation keys are qualified names in any case; all keys and values together stay within 256 KiB. */
function annotationCauses(annotations: JsonObject): FieldCause[] {
  const out: FieldCause[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const e of isQualifiedName(k.toLowerCase())) out.push(invalid('metadata.annotations', k, e));
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
