/**
 * The tasks a fleet knows: by task id, and by the key of their Task (`namespace/name`), which is
 * how the informer names what it sees. A task is known from its launch (or reattachment) until
 * it is killed or ends for good; a task that ended with objects left stays known, for kill.
 */
import { refOf } from '../kubectl/commands.ts';
import type { KubeObject, ObjectRef } from '../kubectl/types.ts';
import { LABEL_TASK_ID } from '../manifest/index.ts';
import { keyOf } from '../watch/informer.ts';
import type { FleetTask } from './fleet-task.ts';

export class TaskRegistry {
  private readonly byId = new Map<string, FleetTask>();
  private readonly byTaskKey = new Map<string, FleetTask>();

  constructor(private readonly make: (taskId: string, ref: ObjectRef) => FleetTask) {}

  /** A new task, known from now on under its id and its Task's key. */
  add(taskId: string, ref: ObjectRef): FleetTask {
    const task = this.make(taskId, ref);
    this.byId.set(taskId, task);
    this.byTaskKey.set(task.key, task);
    return task;
  }

  /**
   * The Tasks already in scope when the fleet starts, followed as live tasks (each under the id
   * its label carries, unless that id or Task is known already); returns their ids.
   */
  reattach(objects: readonly KubeObject[]): string[] {
    const reattached: string[] = [];
    for (const object of objects) {
      const taskId = object.metadata.labels?.[LABEL_TASK_ID];
      if (taskId === undefined || this.has(taskId) || this.byKey(keyOf(object)) !== undefined) continue;
      const task = this.add(taskId, refOf(object));
      task.phase = 'live';
      task.observe(object);
      reattached.push(taskId);
    }
    return reattached;
  }

  /** Forgets the task (and only that one: a task of the same id added since stays). */
  remove(task: FleetTask): void {
    if (this.byId.get(task.taskId) === task) this.byId.delete(task.taskId);
    if (this.byTaskKey.get(task.key) === task) this.byTaskKey.delete(task.key);
  }

  get(taskId: string): FleetTask | undefined {
    return this.byId.get(taskId);
  }

  has(taskId: string): boolean {
    return this.byId.has(taskId);
  }

  /** The task whose Task is `namespace/name`. */
  byKey(key: string): FleetTask | undefined {
    return this.byTaskKey.get(key);
  }

  all(): FleetTask[] {
    return [...this.byId.values()];
  }
}
