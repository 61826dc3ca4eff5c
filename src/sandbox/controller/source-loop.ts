/**
 * The start/stop lifecycle both transports share: one event loop per source, an abort signal
 * that cuts its waits short, and stop() that returns once the loop is over.
 */
import type { TaskEvent, TaskSource } from './controller.ts';

export abstract class LoopingTaskSource implements TaskSource {
  #state: 'idle' | 'running' | 'stopped' = 'idle';
  #loop: Promise<void> = Promise.resolve();
  protected readonly abort = new AbortController();

  protected constructor(private readonly label: string) {}

  protected get running(): boolean {
    return this.#state === 'running';
  }

  start(onEvent: (event: TaskEvent) => void): void {
    if (this.#state !== 'idle') throw new Error(`fake controller ${this.label} source: start() called in state ${this.#state}`);
    this.#state = 'running';
    this.#loop = this.run(onEvent);
  }

  async stop(): Promise<void> {
    this.#state = 'stopped';
    this.abort.abort();
    this.onStop();
    await this.#loop;
  }

  /** What a subclass must end at once on stop() (a kubectl process, say). */
  protected onStop(): void {}

  protected abstract run(onEvent: (event: TaskEvent) => void): Promise<void>;
}
