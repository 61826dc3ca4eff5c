/**
 * Multi-object kubectl calls for the fleet: one process for a whole batch, whose outcome is per
 * object (kubectl goes on past a failing object; see recordings batch/25, 30 and 35). These never
 * throw for a failure kubectl pinned on some objects: the caller maps the result back to each
 * object (fleet/per-object.ts). A failure of the whole call (unreachable, forbidden…) still throws.
 */
import { killedBySignal } from './classify.ts';
import { KubectlError } from './errors.ts';
import type { Kubectl } from './runner.ts';
import { refsStream } from './commands.ts';
import { withoutRefusedOptionalTypes } from './optional-types.ts';
import { withPatchFile } from './patch-file.ts';
import { TRANSIENT_REASONS, type KubectlResult, type ObjectRef } from './types.ts';

/**
 * Runs, returning the result of a call that failed for some objects only. A transient failure
 * (retried by the runner first) or one that names no object at all is the whole call's: thrown.
 */
async function runPerObject(k: Kubectl, args: readonly string[], options: { stdin?: string; namespace?: string | null }): Promise<KubectlResult> {
  try {
    return await k.run(args, options);
  } catch (error) {
    if (!(error instanceof KubectlError) || error.result === undefined || TRANSIENT_REASONS.has(error.reason)) throw error;
    // Killed (and retried) to the end: what it printed before dying is no verdict on any object.
    if (killedBySignal(error.result)) throw error;
    if (error.result.stdout.trim() === '' && !/"[^"]+"/.test(error.result.stderr)) throw error;
    return error.result;
  }
}

/** `kubectl apply -f - -o name` of a multi-document stream (optionally a server dry run). */
export function applyMany(k: Kubectl, yaml: string, options: { dryRun?: boolean; namespace?: string | null } = {}): Promise<KubectlResult> {
  const args = ['apply', '-f', '-', '-o', 'name'];
  if (options.dryRun === true) args.push('--dry-run=server');
  return runPerObject(k, args, { stdin: yaml, ...(options.namespace === undefined ? {} : { namespace: options.namespace }) });
}

/**
 * The same patch to every referenced object in one process: `kubectl patch -f - ` reads the
 * references (apiVersion, kind, name, namespace) from stdin and sends one PATCH per object, so
 * every other field is kept (unlike a partial server-side apply, recording batch/28). The body
 * goes through a 0600 file in a private directory: it may carry CONFIGURE arguments.
 */
export async function patchMany(
  k: Kubectl,
  refs: readonly ObjectRef[],
  type: 'json' | 'merge',
  body: string,
  namespace: string | null,
): Promise<KubectlResult> {
  const what = `kubectl patch -f - (${refs.length === 1 ? (refs[0]?.name ?? '') : `${refs.length} objects`})`;
  return withPatchFile(k, what, body, (file) =>
    runPerObject(k, ['patch', '-f', '-', `--type=${type}`, `--patch-file=${file}`, '-o', 'name'], { stdin: refsStream(refs), namespace }),
  );
}

/** One `kubectl delete -f -` of every object, without waiting (the caller's informer sees them go). */
export function deleteMany(k: Kubectl, refs: readonly ObjectRef[], namespace: string | null): Promise<KubectlResult> {
  return runPerObject(k, ['delete', '-f', '-', '--ignore-not-found', '--wait=false'], { stdin: refsStream(refs), namespace });
}

/**
 * One `kubectl delete <types> -l <selector>` (objects found by label, such as a reattached task's).
 * An `optional` type the server refuses to list is dropped (see optional-types.ts).
 */
export function deleteBySelector(
  k: Kubectl,
  types: readonly string[],
  selector: string,
  namespace: string | null,
  optional: ReadonlySet<string> = new Set(),
): Promise<KubectlResult> {
  return withoutRefusedOptionalTypes(types, optional, (some) =>
    k.run(['delete', some.join(','), '-l', selector, '--ignore-not-found', '--wait=false'], { namespace }),
  );
}
