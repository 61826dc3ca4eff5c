/**
 * The private file a patch body goes through: `kubectl patch` reads its body from a file or argv,
 * and argv is readable by every user (`ps`, /proc), while a body may carry CONFIGURE arguments
 * (tokens, passwords). So it lives in a fresh mkdtemp directory (0700) as a 0600 file, for the
 * whole call (retries included), and is removed whatever the outcome.
 *
 * A file that cannot be written (the disk is full, TMPDIR is read-only or gone) fails the call
 * before kubectl starts, so nothing reaches the cluster, with one line that names the directory
 * and the way out; nothing is left behind.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubectlError, oneLine } from './errors.ts';
import type { Kubectl } from './runner.ts';

/** `what` names the call in the error (`kubectl patch task.v1alpha1.aliecs.alice.cern/t1`). */
export async function withPatchFile<T>(k: Kubectl, what: string, body: string, use: (file: string) => Promise<T>): Promise<T> {
  const parent = tmpdir();
  let dir: string | undefined;
  try {
    dir = await mkdtemp(join(parent, 'kubectl-task-patch-'));
    await k.writePrivateFile(join(dir, 'patch.json'), body);
  } catch (error) {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    const why = oneLine(error instanceof Error ? error.message : String(error));
    throw new KubectlError({
      reason: 'Unknown',
      message:
        `${what}: Unknown: cannot write the patch file in ${parent} (${why}); ` +
        'nothing was sent to the cluster: free space there, or point TMPDIR at another directory',
      cause: error,
    });
  }
  try {
    return await use(join(dir, 'patch.json'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
