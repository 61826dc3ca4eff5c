/**
 * The team's recordings of real kubectl against kube-apiserver 1.26 (and the upstream Task CRD)
 * live outside the repository, next to the checkout, so a fresh `git clone` does not have them.
 * Suites that need them go through this module: they turn pending, with one line saying why,
 * instead of crashing the whole mocha run while its files load.
 *
 * Only the environment is read at import; the folder itself is looked at when a suite runs.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Overrides where the recordings are; a relative value is taken from the current directory. */
export const REFERENCE_ENV = 'KUBECTL_TASK_REFERENCE';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `$KUBECTL_TASK_REFERENCE`, else `<repo>/../shared/reference/kube-apiserver-1.26`. */
export const REFERENCE_DIR = resolveReferenceDir(process.env);

export function resolveReferenceDir(env: Readonly<Record<string, string | undefined>>): string {
  const fromEnv = env[REFERENCE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  return resolve(REPO_ROOT, '..', 'shared', 'reference', 'kube-apiserver-1.26');
}

/** A file of the reference folder (it may not exist: check referencePresent() first). */
export function referenceFile(name: string): string {
  return join(REFERENCE_DIR, name);
}

/** The upstream Task CRD (AliceO2Group/Control, controller-gen) the recordings were made with. */
export const UPSTREAM_CRD = referenceFile('task-crd.yaml');

export function referencePresent(): boolean {
  return existsSync(REFERENCE_DIR) && statSync(REFERENCE_DIR).isDirectory();
}

/** The one line a suite prints when it is skipped for want of the reference. */
export function missingReferenceLine(what: string): string {
  return `reference missing: skipping "${what}" (expected recordings in ${REFERENCE_DIR}; set ${REFERENCE_ENV})`;
}

/**
 * For a `before` hook: without the reference, print one line and mark every test of the suite
 * (and of its nested suites) pending. Mocha then also skips the suite's later `before` hooks, so
 * they may assume the reference is there; `after` hooks still run and must tolerate no setup.
 */
export function skipWithoutReference(context: Mocha.Context, what: string): void {
  if (referencePresent()) return;
  console.log(missingReferenceLine(what));
  context.skip();
}

/**
 * `describe` for a suite that needs the reference. The body still runs at load time (to declare
 * the tests, which show as pending when skipped), so it must not read the reference itself: read
 * it in `before` hooks or tests.
 */
export function describeWithReference(title: string, fn: (this: Mocha.Suite) => void): Mocha.Suite {
  return describe(title, function () {
    before(function () {
      skipWithoutReference(this, title);
    });
    fn.call(this);
  });
}
