/**
 * A typed client of `kubectl-task serve`, for executors written for Node and for tests: numbers
 * the requests, matches responses by id, decodes results with the protocol's schemas, and fans
 * out status updates. Works over any pair of streams (PassThrough in tests) or a child process
 * started by spawnBridge().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { isReason } from '../errors.ts';
import { parseJson } from '../json.ts';
import { oneLine } from '../kubectl/errors.ts';
import { BridgeError } from './errors.ts';
import { LineSplitter } from './lines.ts';
import { RESULT_SCHEMAS, ServerMessageEnvelopeSchema, type BridgeResults, type ErrorBody, type ReadyMessage, type StatusMessage } from './messages.ts';
import type { BridgeRequest, LaunchRequest, RequestType, TransitionRequest } from './protocol.ts';

/** A request as the client takes it: the client chooses the id. */
export type ClientRequest = BridgeRequest extends infer R ? (R extends { readonly id?: unknown } ? Omit<R, 'id'> : never) : never;
type RequestOf<T extends RequestType> = Extract<ClientRequest, { readonly type: T }>;

export interface BridgeClientOptions {
  /** The bridge's stdout. */
  readonly input: Readable;
  /** The bridge's stdin. */
  readonly output: Writable;
  /** When the bridge is a child process: close() waits for it to exit. */
  readonly child?: ChildProcess;
  /** Lines the client could not use (unmatched responses, invalid messages), one at a time. */
  readonly log?: (line: string) => void;
}

interface Pending {
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
}

export class BridgeClient {
  /** Resolves with the bridge's `ready` line; rejects if the bridge ends before it. */
  readonly ready: Promise<ReadyMessage>;
  /** Resolves when the bridge's output ends (it stopped, or died). */
  readonly ended: Promise<void>;
  readonly child: ChildProcess | undefined;

  readonly #output: Writable;
  readonly #log: (line: string) => void;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Set<(update: StatusMessage) => void>();
  readonly #endListeners = new Set<() => void>();
  #nextId = 1;
  #endedError: BridgeError | undefined;
  #resolveReady!: (ready: ReadyMessage) => void;
  #rejectReady!: (error: Error) => void;
  #resolveEnded!: () => void;

  constructor(options: BridgeClientOptions) {
    this.#output = options.output;
    this.#log = options.log ?? (() => undefined);
    this.child = options.child;
    this.ready = new Promise<ReadyMessage>((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    // Awaiting `ready` is optional: an unobserved rejection must not crash the process.
    this.ready.catch(() => undefined);
    this.ended = new Promise<void>((resolve) => (this.#resolveEnded = resolve));

    const splitter = new LineSplitter({
      // The bridge is trusted: a large status result is a valid line, not an attack.
      maxLineBytes: Number.POSITIVE_INFINITY,
      onLine: (line) => this.#onLine(line),
      onTooLong: () => undefined,
    });
    options.input.on('data', (chunk: Buffer | string) => splitter.push(chunk));
    const onEnd = (): void => {
      splitter.end();
      this.#end(new BridgeError('BridgeClosed', 'the bridge closed its output before answering'));
    };
    options.input.on('end', onEnd);
    options.input.on('close', onEnd);
    options.input.on('error', (error: Error) => this.#end(new BridgeError('BridgeClosed', `reading from the bridge failed: ${oneLine(error.message)}`)));
    // Writing to a bridge that died is an EPIPE here: the pending requests fail through #end instead.
    this.#output.on('error', (error: Error) => this.#log(`bridge client: writing to the bridge failed: ${oneLine(error.message)}`));
    options.child?.on('error', (error: Error) => this.#end(new BridgeError('BridgeClosed', `the bridge process failed: ${oneLine(error.message)}`)));
  }

  /** The bridge process's own PID (node's, not a wrapper's), when it is a child. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Sends one request; resolves with its result, typed by the request's type. Rejects with a
   * BridgeError whose `reason` is the bridge's (BadRequest, UnknownTask, WrongState, …), or
   * BridgeClosed when the bridge ends first.
   */
  request<T extends RequestType>(request: RequestOf<T> & { readonly type: T }): Promise<BridgeResults[T]> {
    if (this.#endedError !== undefined) return Promise.reject(this.#endedError);
    const id = this.#nextId++;
    const raw = new Promise<unknown>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    this.#output.write(`${JSON.stringify({ ...request, id })}\n`);
    return raw.then((result) => RESULT_SCHEMAS[request.type].parse(result));
  }

  launch(request: Omit<LaunchRequest, 'type' | 'id'>): Promise<BridgeResults['launch']> {
    return this.request({ ...request, type: 'launch' });
  }

  transition(request: Omit<TransitionRequest, 'type' | 'id'>): Promise<BridgeResults['transition']> {
    return this.request({ ...request, type: 'transition' });
  }

  kill(taskId: string): Promise<BridgeResults['kill']> {
    return this.request({ type: 'kill', taskId });
  }

  status(taskId?: string): Promise<BridgeResults['status']> {
    return this.request(taskId === undefined ? { type: 'status' } : { type: 'status', taskId });
  }

  /** Pushed status updates, from now on; returns the unsubscribe function. */
  onStatus(listener: (update: StatusMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Status updates from now on, until the bridge ends, the signal aborts, or the loop breaks. */
  async *statuses(options: { readonly signal?: AbortSignal } = {}): AsyncGenerator<StatusMessage, void, undefined> {
    const queue: StatusMessage[] = [];
    let wake: (() => void) | undefined;
    let done = this.#endedError !== undefined;
    const notify = (): void => {
      wake?.();
      wake = undefined;
    };
    const stop = (): void => {
      done = true;
      notify();
    };
    const unsubscribe = this.onStatus((update) => {
      queue.push(update);
      notify();
    });
    this.#endListeners.add(stop);
    options.signal?.addEventListener('abort', stop, { once: true });
    try {
      while (true) {
        const next = queue.shift();
        if (next !== undefined) yield next;
        else if (done || options.signal?.aborted === true) return;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      unsubscribe();
      this.#endListeners.delete(stop);
      options.signal?.removeEventListener('abort', stop);
    }
  }

  /**
   * Asks the bridge to shut down (unless it already ended), ends its input, and for a child
   * process waits for it to exit: SIGTERM after timeoutMs, SIGKILL after as long again.
   */
  async close(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 40_000;
    if (this.#endedError === undefined) {
      await this.request({ type: 'shutdown' }).catch((error: unknown) => {
        // ShuttingDown: someone else already asked; BridgeClosed: it is gone. Both are fine here.
        if (!(error instanceof BridgeError)) throw error;
      });
    }
    if (!this.#output.writableEnded) this.#output.end();
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (await settlesWithin(exited, timeoutMs)) return;
    child.kill('SIGTERM');
    if (await settlesWithin(exited, timeoutMs)) return;
    child.kill('SIGKILL');
    await exited;
  }

  #onLine(line: string): void {
    if (line.trim() === '') return;
    const value = parseJson(line);
    if (value === undefined) {
      this.#log(`bridge client: ignored a line that is not JSON (${line.length} characters)`);
      return;
    }
    const parsed = ServerMessageEnvelopeSchema.safeParse(value);
    if (!parsed.success) {
      this.#log(`bridge client: ignored an invalid message: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
        this.#resolveReady(message);
        return;
      case 'status':
        for (const listener of this.#listeners) listener(message);
        return;
      case 'response': {
        const pending = typeof message.id === 'number' ? this.#pending.get(message.id) : undefined;
        if (pending === undefined || typeof message.id !== 'number') {
          const what = message.ok ? 'a result' : `${message.error.reason}: ${message.error.message}`;
          this.#log(`bridge client: a response matches no request (id ${JSON.stringify(message.id)}): ${what}`);
          return;
        }
        this.#pending.delete(message.id);
        if (message.ok) pending.resolve(message.result);
        else pending.reject(bridgeErrorOf(message.error));
      }
    }
  }

  #end(error: BridgeError): void {
    if (this.#endedError !== undefined) return;
    this.#endedError = error;
    this.#rejectReady(error);
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    for (const stop of this.#endListeners) stop();
    this.#resolveEnded();
  }
}

export interface SpawnBridgeOptions {
  /** Arguments after `serve`: --kubeconfig, --context, -n, -A, --executor-id, … */
  readonly args?: readonly string[];
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** The bridge's stderr (its logs): inherited unless told otherwise. */
  readonly stderr?: 'inherit' | 'pipe' | 'ignore';
  readonly log?: (line: string) => void;
}

const BIN = fileURLToPath(new URL('../../bin/kubectl-task.js', import.meta.url));

/**
 * Starts `kubectl-task serve` as node running bin/kubectl-task.js directly (no npx, no shell), so
 * the child's PID is the bridge's own and signals reach it.
 */
export function spawnBridge(options: SpawnBridgeOptions = {}): BridgeClient {
  // `--` as in the bin's shebang: node must not read the bridge's flags as its own.
  const child = spawn(process.execPath, ['--', BIN, 'serve', ...(options.args ?? [])], {
    stdio: ['pipe', 'pipe', options.stderr ?? 'inherit'],
    env: { ...process.env, ...options.env },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  // Never null with 'pipe'; spawn's typings only lose that when stderr's mode is a variable.
  if (child.stdout === null || child.stdin === null) throw new Error('spawnBridge: the bridge process has no stdin/stdout pipes');
  return new BridgeClient({ input: child.stdout, output: child.stdin, child, ...(options.log === undefined ? {} : { log: options.log }) });
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = await Promise.race([promise.then(() => true), timeout]);
  clearTimeout(timer);
  return settled;
}

/** An error response as a BridgeError; a reason this version does not know is Unknown, kept in wireReason. */
function bridgeErrorOf(error: ErrorBody): BridgeError {
  return isReason(error.reason) ? new BridgeError(error.reason, error.message) : new BridgeError('Unknown', error.message, { wireReason: error.reason });
}
