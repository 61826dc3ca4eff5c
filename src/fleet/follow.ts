/**
 * What the shared informer's events mean for the fleet's tasks: a newer object is observed, a
 * Task that left the watch is explained (killed by us or by another kubectl-task, deleted behind
 * our back, or unlabelled), an outage past the grace period makes tasks TASK_UNREACHABLE, and the
 * relist after it brings them back.
 */
import createDebug from 'debug';
import type { Clock } from '../clock.ts';
import { getObjects } from '../kubectl/commands.ts';
import type { Kubectl } from '../kubectl/runner.ts';
import type { KubeObject } from '../kubectl/types.ts';
import { messageOf } from '../errors.ts';
import { ANNOTATION_KILLED_BY } from '../task/ownership.ts';
import type { Informer, InformerEvent } from '../watch/informer.ts';
import { Batcher, type Outcome } from './batcher.ts';
import type { FleetTask } from './fleet-task.ts';
import type { TaskRegistry } from './registry.ts';
import type { BatchOptions } from './types.ts';

const debug = createDebug('kubectl-task:fleet');

export interface FollowOptions {
  readonly kubectl: Kubectl;
  readonly informer: Informer;
  readonly tasks: TaskRegistry;
  readonly selector: string;
  readonly unreachableGraceMs: number;
  readonly batch: BatchOptions;
  /** Arms the unreachable grace period. */
  readonly clock: Clock;
}

export class TaskFollower {
  /** Cancels the grace period's timer while one is armed. */
  private cancelGrace: (() => void) | undefined;
  /** Many Tasks gone at once (a namespace emptied) cost one read, not one each. */
  private readonly stillThere: Batcher<FleetTask, boolean>;

  constructor(private readonly o: FollowOptions) {
    this.stillThere = new Batcher({ ...o.batch, run: (tasks) => stillThere(o.kubectl, tasks) });
  }

  handle(event: InformerEvent): void {
    switch (event.type) {
      case 'upsert':
        this.o.tasks.byKey(event.key)?.observe(event.object);
        return;
      case 'gone': {
        const task = this.o.tasks.byKey(event.key);
        if (task === undefined) return;
        task.tracker.markDeleted();
        if (task.phase === 'live') void this.explainGone(task, event.last);
        return;
      }
      case 'health':
        if (!event.healthy) this.cancelGrace ??= this.o.clock.setTimer(() => this.markUnreachable(event.error?.message), this.o.unreachableGraceMs);
        return;
      case 'synced':
        this.cancelGrace?.();
        this.cancelGrace = undefined;
        for (const task of this.o.tasks.all()) {
          if (!task.unreachable) continue;
          const cached = this.o.informer.get(task.key);
          if (cached !== undefined) task.observe(cached);
        }
        return;
    }
  }

  async close(): Promise<void> {
    this.cancelGrace?.();
    this.cancelGrace = undefined;
    await this.stillThere.drain();
  }

  private markUnreachable(why: string | undefined): void {
    this.cancelGrace = undefined;
    if (this.o.informer.isHealthy) return;
    for (const task of this.o.tasks.all()) {
      if (task.phase !== 'live' || task.ended) continue;
      task.unreachable = true;
      const message = `the API server could not be reached for ${this.o.unreachableGraceMs} ms${why === undefined ? '' : `: ${why}`}`;
      task.report('TASK_UNREACHABLE', 'Unreachable', { message });
    }
  }

  private async explainGone(task: FleetTask, last: KubeObject): Promise<void> {
    if (last.metadata.annotations?.[ANNOTATION_KILLED_BY] !== undefined) {
      task.report('TASK_KILLED', 'Killed', { message: `killed by ${last.metadata.annotations[ANNOTATION_KILLED_BY]}` });
      this.o.tasks.remove(task);
      return;
    }
    let still: boolean | undefined;
    try {
      still = await this.stillThere.add(task);
    } catch (error) {
      debug('%s: cannot tell why its Task left the watch: %s', task.taskId, messageOf(error));
    }
    if (task.phase !== 'live') return;
    // The task stays known, ended, like a failed one: its kill deletes what is left of it (the
    // companions of a deleted Task, the unlabelled Task itself), which nothing else would.
    if (still === true) {
      task.report('TASK_LOST', 'Unmanaged', { message: `Task ${task.key} no longer carries the labels ${this.o.selector}: kubectl-task stopped following it` });
    } else {
      task.report('TASK_LOST', 'Deleted', { message: `Task ${task.key} was deleted outside kubectl-task` });
    }
  }
}

async function stillThere(kubectl: Kubectl, tasks: readonly FleetTask[]): Promise<Outcome<boolean>[]> {
  const found = new Set(
    (
      await getObjects(
        kubectl,
        tasks.map((t) => t.ref),
      )
    ).map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`),
  );
  return tasks.map((task) => ({ ok: true, value: found.has(task.key) }));
}
