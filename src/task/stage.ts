/**
 * Where a KubectlTask is in its life. Every way out (kill, error, done, vanished, monitor gave
 * up) ends in killed, failed or finished; a failed or finished task still knows what it owns, so
 * kill() can delete it.
 */
import type { OwnerScope, TaskTarget } from './ownership.ts';
import type { ExecutorState } from './states.ts';

export type Stage =
  | { readonly kind: 'pending' }
  | { readonly kind: 'applying' }
  | { readonly kind: 'launched'; readonly target: TaskTarget }
  | { readonly kind: 'running'; readonly target: TaskTarget }
  /** `scope` is absent while a kill that came before any launch is still finding what to delete. */
  | { readonly kind: 'killing'; readonly scope?: OwnerScope }
  /** `scope` is absent when the task failed before knowing what it owns (rendering failed: nothing applied). */
  | { readonly kind: 'failed'; readonly reason: string; readonly message: string; readonly scope?: OwnerScope }
  | { readonly kind: 'finished'; readonly scope: OwnerScope }
  | { readonly kind: 'killed' };

/** What the stage already knows the task owns; undefined when it must be found first. */
export function scopeOfStage(stage: Stage): OwnerScope | undefined {
  switch (stage.kind) {
    case 'launched':
    case 'running':
      return stage.target;
    case 'killing':
    case 'failed':
    case 'finished':
      return stage.scope;
    case 'pending':
    case 'applying':
    case 'killed':
      return undefined;
  }
}

/** The stage a task ends in: killed; finished (knowing what it owns); otherwise failed, with why. */
export function stageAfter(end: { state: ExecutorState; reason: string; message?: string | undefined; scope?: OwnerScope | undefined }): Stage {
  const { state, reason, message, scope } = end;
  if (state === 'TASK_KILLED') return { kind: 'killed' };
  if (state === 'TASK_FINISHED' && scope !== undefined) return { kind: 'finished', scope };
  return { kind: 'failed', reason, message: message ?? reason, ...(scope === undefined ? {} : { scope }) };
}
