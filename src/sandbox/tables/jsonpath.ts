/**
 * The small JSONPath subset CRD additionalPrinterColumns use (`.spec.state`, `.a[0].b`,
 * `.metadata.labels['app.kubernetes.io/name']`), evaluated like client-go's jsonpath: first result only.
 */
import type { JsonValue } from '../../json.ts';
import { isJsonObject } from '../../json.ts';

type Step = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'wildcard' };

/** Parses a path; throws with the offending text when it is outside the supported subset. */
export function parseJsonPath(path: string): Step[] {
  const src = path.trim().replace(/^\{(.*)\}$/s, '$1').replace(/^\$/, '');
  const steps: Step[] = [];
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^\.\*/.exec(rest)) || (m = /^\[\*\]/.exec(rest))) {
      steps.push({ kind: 'wildcard' });
    } else if ((m = /^\.([^.[\]]+)/.exec(rest))) {
      steps.push({ kind: 'key', key: m[1] ?? '' });
    } else if ((m = /^\[(-?\d+)\]/.exec(rest))) {
      steps.push({ kind: 'index', index: Number(m[1]) });
    } else if ((m = /^\['([^']*)'\]/.exec(rest)) || (m = /^\["([^"]*)"\]/.exec(rest))) {
      steps.push({ kind: 'key', key: m[1] ?? '' });
    } else {
      throw new Error(`unsupported JSONPath ${JSON.stringify(path)} at ${JSON.stringify(rest)}`);
    }
    i += m[0].length;
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
