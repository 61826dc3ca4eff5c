/**
 * The small JSONPath subset CRD additionalPrinterColumns use (`.spec.state`, `.a[0].b`,
 * `.metadata.labels['app.kubernetes.io/name']`), evaluated like client-go's jsonpath: first result only.
 */
import type { JsonValue } from '../../json.ts';
import { isJsonObject } from '../../json.ts';

type Step = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'wildcard' };

/** The step syntaxes, tried in this order at the start of what is left of the path. */
const STEP_SYNTAX: readonly (readonly [RegExp, (m: RegExpExecArray) => Step])[] = [
  [/^\.\*/, () => ({ kind: 'wildcard' })],
  [/^\[\*\]/, () => ({ kind: 'wildcard' })],
  [/^\.([^.[\]]+)/, (m) => ({ kind: 'key', key: m[1] ?? '' })],
  [/^\[(-?\d+)\]/, (m) => ({ kind: 'index', index: Number(m[1]) })],
  [/^\['([^']*)'\]/, (m) => ({ kind: 'key', key: m[1] ?? '' })],
  [/^\["([^"]*)"\]/, (m) => ({ kind: 'key', key: m[1] ?? '' })],
];

/** The step `rest` starts with and the length of its text, or undefined when none matches. */
function leadingStep(rest: string): { step: Step; length: number } | undefined {
  for (const [syntax, stepOf] of STEP_SYNTAX) {
    const m = syntax.exec(rest);
    if (m !== null) return { step: stepOf(m), length: m[0].length };
  }
  return undefined;
}

/** Parses a path; throws with the offending text when it is outside the supported subset. */
export function parseJsonPath(path: string): Step[] {
  const src = path
    .trim()
    .replace(/^\{(.*)\}$/s, '$1')
    .replace(/^\$/, '');
  const steps: Step[] = [];
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    const found = leadingStep(rest);
    if (found === undefined) throw new Error(`unsupported JSONPath ${JSON.stringify(path)} at ${JSON.stringify(rest)}`);
    steps.push(found.step);
    i += found.length;
  }
  return steps;
}

/** The first value `path` finds in `obj`, or undefined when it finds none. */
export function evaluateJsonPath(obj: JsonValue, path: string): JsonValue | undefined {
  let current: JsonValue[] = [obj];
  for (const step of parseJsonPath(path)) {
    const next: JsonValue[] = [];
    for (const v of current) {
      if (step.kind === 'key' && isJsonObject(v) && Object.hasOwn(v, step.key)) next.push(v[step.key] ?? null);
      else if (step.kind === 'index' && Array.isArray(v)) {
        const item = v[step.index < 0 ? v.length + step.index : step.index];
        if (item !== undefined) next.push(item);
      } else if (step.kind === 'wildcard') {
        if (Array.isArray(v)) next.push(...v);
        else if (isJsonObject(v)) next.push(...Object.values(v));
      }
    }
    current = next;
  }
  return current[0];
}
