/**
 * The bridge of `kubectl-task serve`: NDJSON requests in, one response per request and pushed
 * status updates out, in front of an Engine.
 *
 * Requests run concurrently: each is handed to the engine as soon as its line is read, and its
 * response is written when it finishes, so a transition waiting for the task manager never holds
 * up a launch or a status. Lines read from one chunk reach the engine in the same tick, which is
 * what lets the engine batch requests that arrive together.
 *
 * stdout carries protocol lines only, each written whole by one write() (never interleaved);
 * diagnostics go to `log` (stderr in serve). Request bodies are never logged: env values may be
 * secrets.
 */
import type { Readable, Writable } from 'node:stream';
import createDebug from 'debug';
import { systemClock, type Clock } from '../clock.ts';
import { messageOf, reasonOf } from '../errors.ts';
import type { Engine, FleetStatusUpdate } from '../fleet/types.ts';
import { oneLine } from '../kubectl/errors.ts';
import { packageVersion } from '../package-version.ts';
import { dispatch, issuesText, startUnlessAborted, type EngineRequest } from './dispatch.ts';
import { InFlight } from './in-flight.ts';
import { LineSplitter } from './lines.ts';
import { StatusMessageSchema, type BridgeResults, type ErrorBody, type ServerMessage } from './messages.ts';
import { BRIDGE_PROTOCOL_VERSION, DEFAULT_MAX_LINE_BYTES, type RequestId } from './protocol.ts';
import { parseRequestLine } from './request-line.ts';

const debug = createDebug('kubectl-task:bridge');

/** How long a shutdown waits for requests in flight, and then for engine.close(), together. */
export const DEFAULT_SHUTDOWN_DEADLINE_MS = 30_000;

export interface ServeBridgeOptions {
  readonly engine: Engine;
  /** Requests, newline-delimited JSON (serve: stdin). */
  readonly input: Readable;
  /** Protocol lines only (serve: stdout). Left open at the end: its owner closes it. */
  readonly output: Writable;
  /** One diagnostic line, without newline (serve: stderr). Never given protocol traffic. */
  readonly log?: (line: string) => void;
  readonly maxLineBytes?: number;
  /** Aborting it shuts the bridge down like a `shutdown` request (serve: SIGTERM/SIGINT). */
  readonly signal?: AbortSignal;
  readonly shutdownDeadlineMs?: number;
  /** Times the shutdown deadline (default systemClock). */
  readonly clock?: Clock;
  /** Reported in the `ready` line; defaults to package.json's version. */
  readonly version?: string;
}

export type BridgeEndCause = 'shutdown' | 'input-end' | 'input-error' | 'output-error' | 'signal';

export interface BridgeSummary {
  readonly cause: BridgeEndCause;
  /** Request lines answered (protocol errors included). */
  readonly requests: number;
  /** Requests still running at the shutdown deadline, answered ShuttingDown. */
  readonly abandoned: number;
}

/**
 * Starts the engine, prints `ready`, serves until a `shutdown` request, the end of input or the
 * signal, then waits for requests in flight (up to the deadline), closes the engine and resolves.
 * Rejects when engine.start() or engine.close() fails.
 */
export function serveBridge(options: ServeBridgeOptions): Promise<BridgeSummary> {
  return new BridgeServer(options).run();
}

type Outcome = { readonly ok: true; readonly result: BridgeResults[keyof BridgeResults] } | { readonly ok: false; readonly error: ErrorBody };

class BridgeServer {
  readonly #engine: Engine;
  readonly #input: Readable;
  readonly #output: Writable;
  readonly #log: (line: string) => void;
  readonly #maxLineBytes: number;
  readonly #signal: AbortSignal | undefined;
  readonly #deadlineMs: number;
  readonly #version: string | undefined;
  readonly #clock: Clock;

  #accepting = true;
  #outputBroken = false;
  /** Status updates that arrive before `ready` is written wait here, so `ready` is always the first line. */
  #statusBacklog: FleetStatusUpdate[] | undefined = [];
  readonly #inflight = new InFlight();
  #answered = 0;
  #abandoned = 0;
  #closing: Promise<void> | undefined;
  #cause: BridgeEndCause = 'shutdown';
  #finish!: (outcome: { error?: unknown }) => void;
  readonly #finished = new Promise<{ error?: unknown }>((resolve) => (this.#finish = resolve));

  constructor(options: ServeBridgeOptions) {
    this.#engine = options.engine;
    this.#input = options.input;
    this.#output = options.output;
    this.#log = options.log ?? (() => undefined);
    this.#maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.#signal = options.signal;
    this.#deadlineMs = options.shutdownDeadlineMs ?? DEFAULT_SHUTDOWN_DEADLINE_MS;
    this.#version = options.version;
    this.#clock = options.clock ?? systemClock;
  }

  async run(): Promise<BridgeSummary> {
    const onOutputError = (error: Error): void => {
      // The executor is gone (EPIPE): nobody can read answers, so stop as if input had ended.
      if (!this.#outputBroken) this.#log(`bridge: cannot write to the executor: ${oneLine(error.message)}; shutting down`);
      this.#outputBroken = true;
      this.#shutdown('output-error');
    };
    this.#output.on('error', onOutputError);
    // Subscribed before start(): updates of reattached tasks found while starting are not lost.
    const unsubscribe = this.#engine.onStatus((update) => this.#onStatus(update));
    let reattached: readonly string[];
    try {
      const started = await startUnlessAborted(this.#engine, this.#signal);
      if (started === 'aborted') {
        // SIGTERM while the engine was still starting (say, the cluster is slow to answer).
        unsubscribe();
        this.#log('bridge: stopped before the engine had started');
        await this.#engine.close({ deadlineMs: 0 }).catch((error: unknown) => this.#log(`bridge: closing the engine failed: ${oneLine(messageOf(error))}`));
        return { cause: 'signal', requests: 0, abandoned: 0 };
      }
      ({ reattached } = started);
    } catch (error) {
      unsubscribe();
      await this.#engine.close({ deadlineMs: 0 }).catch(() => undefined);
      throw error;
    }
    this.#send({ type: 'ready', protocol: BRIDGE_PROTOCOL_VERSION, version: this.#version ?? packageVersion(), reattached: [...reattached] });
    this.#log(`bridge: ready (${reattached.length} task(s) reattached)`);
    const backlog = this.#statusBacklog ?? [];
    this.#statusBacklog = undefined;
    for (const update of backlog) this.#onStatus(update);

    const splitter = new LineSplitter({
      maxLineBytes: this.#maxLineBytes,
      onLine: (line) => this.#onLine(line),
      onTooLong: (bytes) => {
        this.#log(`bridge: refused a request line over ${this.#maxLineBytes} bytes (${bytes} read so far)`);
        const message = `request line longer than ${this.#maxLineBytes} bytes; skipped up to its newline`;
        this.#respond(null, { ok: false, error: { reason: 'LineTooLong', message } });
      },
    });
    const onData = (chunk: Buffer | string): void => splitter.push(chunk);
    const onEnd = (): void => {
      splitter.end();
      this.#shutdown('input-end');
    };
    const onInputError = (error: Error): void => {
      this.#log(`bridge: cannot read requests: ${oneLine(error.message)}; shutting down`);
      this.#shutdown('input-error');
    };
    const onAbort = (): void => this.#shutdown('signal');
    this.#input.on('data', onData);
    this.#input.on('end', onEnd);
    // A destroyed input may close without 'end'.
    this.#input.on('close', onEnd);
    this.#input.on('error', onInputError);
    this.#signal?.addEventListener('abort', onAbort, { once: true });
    if (this.#signal?.aborted === true) this.#shutdown('signal');
    if (this.#input.readableEnded) onEnd();

    const { error } = await this.#finished;
    this.#input.off('data', onData);
    this.#input.off('end', onEnd);
    this.#input.off('close', onEnd);
    this.#input.off('error', onInputError);
    this.#input.pause();
    this.#signal?.removeEventListener('abort', onAbort);
    unsubscribe();
    // onOutputError stays attached: a late EPIPE must not become an uncaught 'error' event.
    if (error !== undefined) throw error;
    return { cause: this.#cause, requests: this.#answered, abandoned: this.#abandoned };
  }

  #onLine(line: string): void {
    if (line.trim() === '') return;
    const parsed = parseRequestLine(line);
    if (!this.#accepting) {
      const id = parsed.ok ? (parsed.request.id ?? null) : parsed.id;
      this.#respond(id, { ok: false, error: { reason: 'ShuttingDown', message: 'the bridge is shutting down and accepts no more requests' } });
      return;
    }
    if (!parsed.ok) {
      debug('refused a request line: %s %s', parsed.error.reason, parsed.error.message);
      this.#respond(parsed.id, { ok: false, error: parsed.error });
      return;
    }
    const request = parsed.request;
    if (request.type === 'shutdown') this.#shutdown('shutdown', request.id ?? null);
    else this.#dispatch(request);
  }

  #dispatch(request: EngineRequest): void {
    const label = `${request.type}${request.taskId === undefined ? '' : ` ${request.taskId}`} (id ${JSON.stringify(request.id ?? null)})`;
    const key = this.#inflight.add({ id: request.id ?? null, label });
    debug('request %s', label);
    dispatch(this.#engine, request).then(
      (result) => this.#settle(key, { ok: true, result }),
      (error: unknown) => this.#settle(key, { ok: false, error: { reason: reasonOf(error), message: oneLine(messageOf(error)) } }),
    );
  }

  #settle(key: number, outcome: Outcome): void {
    const pending = this.#inflight.take(key);
    // Already answered ShuttingDown at the deadline: exactly one response per request.
    if (pending === undefined) return;
    debug('response %s: %s', pending.label, outcome.ok ? 'ok' : outcome.error.reason);
    this.#respond(pending.id, outcome);
  }

  #respond(id: RequestId | null, outcome: Outcome): void {
    this.#answered += 1;
    this.#send(outcome.ok ? { type: 'response', id, ok: true, result: outcome.result } : { type: 'response', id, ok: false, error: outcome.error });
  }

  #onStatus(update: FleetStatusUpdate): void {
    if (this.#statusBacklog !== undefined) {
      this.#statusBacklog.push(update);
      return;
    }
    // Through the schema: the line matches the published JSON Schema, extra engine fields dropped.
    const message = StatusMessageSchema.safeParse({ ...update, type: 'status' });
    if (!message.success) {
      this.#log(`bridge: dropped an invalid status update of ${update.taskId}: ${issuesText(message.error)}`);
      return;
    }
    this.#send(message.data);
  }

  /**
   * One whole line per write(). Backpressure is not awaited: a pipe to the executor is
   * synchronous on Linux, and a reader that stops reading would stall responses either way.
   */
  #send(message: ServerMessage): void {
    if (this.#outputBroken || this.#output.writableEnded || this.#output.destroyed) return;
    this.#output.write(`${JSON.stringify(message)}\n`);
  }

  #shutdown(cause: BridgeEndCause, responderId?: RequestId | null): void {
    if (this.#closing !== undefined) return;
    this.#accepting = false;
    this.#cause = cause;
    this.#closing = this.#drainAndClose(cause, responderId).then(
      () => this.#finish({}),
      (error: unknown) => this.#finish({ error }),
    );
  }

  async #drainAndClose(cause: BridgeEndCause, responderId: RequestId | null | undefined): Promise<void> {
    const deadline = this.#clock.now() + this.#deadlineMs;
    if (this.#inflight.size > 0) this.#log(`bridge: shutting down (${cause}); waiting for ${this.#inflight.size} request(s) in flight`);
    else this.#log(`bridge: shutting down (${cause})`);
    await this.#inflight.idleOrDeadline(this.#deadlineMs, this.#clock);
    for (const pending of this.#inflight.abandonAll()) {
      this.#abandoned += 1;
      this.#log(`bridge: ${pending.label} still running at the shutdown deadline; answered ShuttingDown`);
      this.#respond(pending.id, {
        ok: false,
        error: {
          reason: 'ShuttingDown',
          message: `the shutdown deadline (${this.#deadlineMs}ms) passed before this request finished; it may still complete in the cluster`,
        },
      });
    }
    let closeError: unknown;
    try {
      await this.#engine.close({ deadlineMs: Math.max(0, deadline - this.#clock.now()) });
    } catch (error) {
      closeError = error;
      this.#log(`bridge: closing the engine failed: ${oneLine(messageOf(error))}`);
    }
    if (responderId !== undefined) {
      this.#respond(
        responderId,
        closeError === undefined ? { ok: true, result: {} } : { ok: false, error: { reason: reasonOf(closeError), message: oneLine(messageOf(closeError)) } },
      );
    }
    this.#log('bridge: stopped');
    if (closeError !== undefined) throw closeError;
  }
}
