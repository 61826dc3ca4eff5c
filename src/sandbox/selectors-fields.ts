/** Field selectors (k8s.io/apimachinery fields.ParseSelector) and the fields objects can be selected by. */
import type { JsonObject, JsonValue } from '../kubectl/types.ts';
import { SelectorError } from './selectors-validation.ts';

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  field: string;
  operator: FieldOperator;
  value: string;
}

/** All requirements must hold (AND); no requirement selects everything. */
export interface FieldSelector {
  requirements: FieldRequirement[];
}

/** Splits on unescaped commas, as fields.ParseSelector does (`\,` `\=` `\\` are escapes). */
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if (c === '\\' && i + 1 < s.length) {
      cur += c + (s[i + 1] ?? '');
      i++;
    } else if (c === ',') {
      terms.push(cur);
      cur = '';
    } else cur += c;
  }
  terms.push(cur);
  return terms;
}

function unescape(v: string, selector: string): string {
  return v.replace(/\\(.)/g, (_m, ch: string) => {
    if (ch === '\\' || ch === ',' || ch === '=') return ch;
    throw new SelectorError(`invalid field selector: invalid escape sequence: '\\${ch}' in '${selector}'`);
  });
}

/** Parses `?fieldSelector=` (`=`, `==`, `!=`; comma means AND); the empty string selects everything. */
export function parseFieldSelector(s: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  if (s.trim() === '') return { requirements };
  for (const term of splitTerms(s)) {
    if (term === '') continue;
    const op = (['!=', '==', '='] as const).find((o) => term.includes(o));
    if (op === undefined) throw new SelectorError(`invalid selector: '${s}'; can't understand '${term}'`);
    const at = term.indexOf(op);
    requirements.push({ field: term.slice(0, at), operator: op, value: unescape(term.slice(at + op.length), s) });
  }
  return { requirements };
}

/** `fields` holds the object's selectable fields (e.g. metadata.name, metadata.namespace). */
export function matchesFields(sel: FieldSelector, fields: Record<string, string>): boolean {
  return sel.requirements.every((r) => {
    const v = fields[r.field] ?? '';
    return r.operator === '!=' ? v !== r.value : v === r.value;
  });
}

/** Field labels beyond metadata.name/namespace that the apiserver supports per built-in kind. */
const EXTRA_FIELDS: Record<string, string[]> = {
  Secret: ['type'],
  Namespace: ['status.phase'],
  Pod: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
};

function lookup(obj: JsonObject, path: string): string {
  let cur: JsonValue | undefined = obj;
  for (const part of path.split('.')) {
    cur = typeof cur === 'object' && cur !== null && !Array.isArray(cur) ? cur[part] : undefined;
  }
  return typeof cur === 'string' ? cur : cur === undefined || cur === null ? '' : String(cur);
}

/** The selectable fields of an object (custom resources: metadata.name and metadata.namespace). */
export function objectFields(obj: JsonObject): Record<string, string> {
  const kind = typeof obj['kind'] === 'string' ? obj['kind'] : '';
  const fields: Record<string, string> = {
    'metadata.name': lookup(obj, 'metadata.name'),
    'metadata.namespace': lookup(obj, 'metadata.namespace'),
  };
  for (const f of EXTRA_FIELDS[kind] ?? []) fields[f] = lookup(obj, f);
  return fields;
}

/** The apiserver's 400 text for a field label the kind does not support, or undefined when all are supported. */
export function unsupportedFieldLabel(sel: FieldSelector, kind: string): string | undefined {
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...(EXTRA_FIELDS[kind] ?? [])]);
  const bad = sel.requirements.find((r) => !allowed.has(r.field));
  return bad ? `field label not supported: ${bad.field}` : undefined;
}
