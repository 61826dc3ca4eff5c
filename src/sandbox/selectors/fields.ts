/**
 * Field selectors: parsing as k8s.io/apimachinery fields.ParseSelector (1.26) does it, and the field
 * labels each type accepts, with the error of its conversion function (Scheme.ConvertFieldLabel):
 * a built-in kind with its own function says `field label not supported: X`, one without falls back
 * to runtime.DefaultMetaV1FieldSelectorConversion (`"X" is not a known field selector: only
 * "metadata.name", "metadata.namespace"`), and custom resources go through the apiextensions
 * crConverter (`field label not supported: X`; metadata.namespace only when namespaced).
 */
import type { JsonObject, JsonValue } from '../../json.ts';
import type { ResourceType } from '../registry/resources.ts';
import { goQuote } from '../core/go-format.ts';
import { SelectorError } from './validation.ts';

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

/** splitTerms: unescaped commas separate terms; an escaped character stays escaped in its term. */
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

const TERM_OPERATORS: FieldOperator[] = ['!=', '==', '='];

/** splitTerm: the first position where an operator starts splits the term (no escapes on the left). */
function splitTerm(term: string): [string, FieldOperator, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    const op = TERM_OPERATORS.find((o) => term.startsWith(o, i));
    if (op !== undefined) return [term.slice(0, i), op, term.slice(i + op.length)];
  }
  return undefined;
}

/** UnescapeValue: `\\`, `\,` and `\=` are the only escapes; a bare `,` or `=` is an error. */
function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw new SelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') {
      // Go prints the rune with %v: its code point.
      throw new SelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else out += c;
  }
  if (inSlash) throw new SelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Go's sort.Strings order: byte-wise on UTF-8. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Parses `?fieldSelector=`; terms come out sorted, as the apiserver parses them. */
export function parseFieldSelector(s: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(s).sort(byteOrder)) {
    if (term === '') continue;
    const split = splitTerm(term);
    if (split === undefined) throw new SelectorError(`invalid selector: '${s}'; can't understand '${term}'`);
    const [field, operator, raw] = split;
    requirements.push({ field, operator, value: unescapeValue(raw) });
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

type Reader = (o: JsonObject) => string;

function read(path: string): Reader {
  const parts = path.split('.');
  return (o) => {
    let cur: JsonValue | undefined = o;
    for (const part of parts) cur = typeof cur === 'object' && cur !== null && !Array.isArray(cur) ? cur[part] : undefined;
    return typeof cur === 'string' ? cur : cur === undefined || cur === null ? '' : String(cur);
  };
}

interface Conversion {
  /** Accepted labels and how to read them from an object. */
  fields: Record<string, Reader>;
  /** Labels the conversion renames (Pod's legacy spec.host). */
  aliases?: Record<string, string>;
}

const NAME: Record<string, Reader> = { 'metadata.name': read('metadata.name') };
const NAME_NS: Record<string, Reader> = { ...NAME, 'metadata.namespace': read('metadata.namespace') };

/**
 * The built-in kinds served here whose group registers its own conversion function in 1.26
 * (pkg/apis/core/v1/conversion.go); every other built-in kind uses the default one.
 */
const POD_FIELDS = [
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.schedulerName',
  'spec.serviceAccountName',
  'status.phase',
  'status.podIP',
  'status.nominatedNodeName',
];
const INVOLVED_OBJECT_FIELDS = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'];

const BUILTIN: Record<string, Conversion> = {
  '/pods': {
    fields: {
      ...NAME_NS,
      ...Object.fromEntries(POD_FIELDS.map((f) => [f, read(f)])),
    },
    aliases: { 'spec.host': 'spec.nodeName' },
  },
  '/events': {
    fields: {
      ...NAME_NS,
      ...Object.fromEntries(INVOLVED_OBJECT_FIELDS.map((f) => [`involvedObject.${f}`, read(`involvedObject.${f}`)])),
      reason: read('reason'),
      reportingComponent: read('reportingComponent'),
      source: read('source.component'),
      type: read('type'),
    },
  },
  '/namespaces': { fields: { ...NAME, 'status.phase': read('status.phase') } },
  '/secrets': { fields: { ...NAME_NS, type: read('type') } },
};

type Typed = Pick<ResourceType, 'origin' | 'group' | 'resource' | 'namespaced'>;

function conversionOf(t: Typed): Conversion | undefined {
  if (t.origin === 'crd') return { fields: t.namespaced ? NAME_NS : NAME };
  return BUILTIN[`${t.group}/${t.resource}`];
}

/**
 * The selector with its labels converted for `t` (aliases resolved); throws the conversion
 * function's error for the first unsupported label, in the selector's (sorted) order.
 */
export function convertFieldLabels(t: Typed, sel: FieldSelector): FieldSelector {
  const conversion = conversionOf(t);
  const requirements = sel.requirements.map((r) => {
    if (conversion === undefined) {
      if (r.field === 'metadata.name' || r.field === 'metadata.namespace') return r;
      throw new SelectorError(`${goQuote(r.field)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
    }
    const field = conversion.aliases?.[r.field] ?? r.field;
    if (conversion.fields[field] === undefined) throw new SelectorError(`field label not supported: ${r.field}`);
    return { ...r, field };
  });
  return { requirements };
}

/** The values of an object's selectable fields that `sel` (already converted) asks about. */
export function selectableFields(t: Typed, obj: JsonObject, sel: FieldSelector): Record<string, string> {
  const readers = conversionOf(t)?.fields ?? NAME_NS;
  const out: Record<string, string> = {};
  for (const r of sel.requirements) out[r.field] = (readers[r.field] ?? read(r.field))(obj);
  return out;
}
