/**
 * What one multi-object kubectl call did to each object. kubectl goes on past a failing object
 * (recordings batch/25, 30, 35): stdout has one line per object it handled (`-o name`:
 * `task.aliecs.alice.cern/b1`; delete: `task.aliecs.alice.cern "b1" deleted`), stderr one line per
 * object it could not (`The Task "b3" is invalid: …`, `Error from server (NotFound): … "p9" not found`).
 * Every line is mapped back to the object it names, so one invalid task fails alone.
 */
import { classify } from '../kubectl/classify.ts';
import { KubectlError } from '../kubectl/errors.ts';
import type { KubectlResult, ObjectRef } from '../kubectl/types.ts';

/** `task.aliecs.alice.cern` / `configmap`: how kubectl prints an object's type. */
export function printedType(ref: Pick<ObjectRef, 'apiVersion' | 'kind'>): string {
  const slash = ref.apiVersion.indexOf('/');
  const kind = ref.kind.toLowerCase();
  return slash < 0 ? kind : `${kind}.${ref.apiVersion.slice(0, slash)}`;
}

/** The objects stdout names as handled, as `type/name`. */
export function handledObjects(stdout: string): Set<string> {
  const handled = new Set<string>();
  for (const line of stdout.split('\n')) {
    const named = /^([a-z0-9.-]+)\/(\S+)/.exec(line.trim());
    if (named !== null) {
      handled.add(`${named[1]}/${named[2]}`);
      continue;
    }
    const quoted = /^([a-z0-9.-]+) "([^"]+)" /.exec(line.trim());
    if (quoted !== null) handled.add(`${quoted[1]}/${quoted[2]}`);
  }
  return handled;
}

/**
 * For each group of objects (one task's), undefined when kubectl handled all of them, else the
 * error naming why: the stderr lines that quote one of its names, or, when no line does, every
 * line no group claims (a failure kubectl could not pin on an object).
 */
export function perGroupErrors(result: KubectlResult, groups: readonly (readonly ObjectRef[])[]): (KubectlError | undefined)[] {
  const handled = handledObjects(result.stdout);
  const lines = result.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^Warning:/.test(l));
  const claimed = new Set<string>();
  const linesOf = groups.map((refs) =>
    lines.filter((line) => {
      const mine = refs.some((ref) => line.includes(`"${ref.name}"`));
      if (mine) claimed.add(line);
      return mine;
    }),
  );
  const unclaimed = lines.filter((line) => !claimed.has(line));
  return groups.map((refs, i) => {
    if (refs.every((ref) => handled.has(`${printedType(ref)}/${ref.name}`))) return undefined;
    const own = linesOf[i] ?? [];
    const why = own.length > 0 ? own : unclaimed;
    const stderr = why.length > 0 ? why.join('\n') : `kubectl reported nothing for ${refs.map((r) => `${printedType(r)}/${r.name}`).join(', ')}`;
    const failure = classify({ ...result, exitCode: result.exitCode === 0 ? 1 : result.exitCode, stderr: `${stderr}\n` });
    return new KubectlError({ reason: failure?.reason ?? 'Unknown', message: failure?.message ?? stderr, result });
  });
}
