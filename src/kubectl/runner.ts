/**
 * Kubectl: the one runner every kubectl call goes through. It builds argv (argv.ts), starts kubectl
 * without a shell and with an explicit environment (spawn.ts), classifies the outcome (classify.ts)
 * and retries transient reasons (retry.ts).
 */
import createDebug from 'debug';
import { writeFile } from 'node:fs/promises';
import { buildArgv, validateConnection, validateNamespace } from './argv.ts';
import type { KubectlConnection, NamespaceChoice } from './argv.ts';
import { classify, commandLabel } from './classify.ts';
import { redactArgv } from './redact.ts';
import { KubectlError } from './errors.ts';
import { sleepOrReject, systemClock, type Clock, type Sleep } from '../clock.ts';
import { DEFAULT_RETRY_POLICY, validateRetryPolicy, withRetry } from './retry.ts';
import type { RetryPolicy } from './retry.ts';
import { execaSpawn, execaStreamSpawn } from './spawn.ts';
import { checkKubectlVersion } from './version.ts';
import type { SpawnFn, StreamSpawnFn } from './spawn.ts';
import type { KubectlReason } from '../errors.ts';
import type { KubectlResult } from './types.ts';

export type { KubectlConnection } from './argv.ts';
export type { RetryPolicy } from './retry.ts';
export type { SpawnFn, StreamSpawnFn } from './spawn.ts';

const log = createDebug('kubectl-task:kubectl');

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface AttemptEvent {
  readonly argv: readonly string[];
  readonly attempt: number;
  readonly result: KubectlResult;
  readonly reason?: KubectlReason;
  readonly willRetry: boolean;
  readonly delayMs?: number;
}

export interface KubectlOptions extends KubectlConnection {
  /** kubectl's whole environment (default: process.env at call time); never merged with process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Per call (default 30 000). */
  timeoutMs?: number;
  /** Default { retries: 4, minTimeoutMs: 200, maxTimeoutMs: 5 000 }; false = never retry. */
  retry?: RetryPolicy | false;
  spawn?: SpawnFn;
  /** Process starter for stream() (default execa-based). */
  streamSpawn?: StreamSpawnFn;
  /** The wait between retries (default sleepOrReject: a call's abort ends it). */
  sleep?: Sleep;
  /** The time base of RunOptions.deadlineMs (default systemClock). */
  clock?: Clock;
  onAttempt?: (event: AttemptEvent) => void;
  /** Writes the private files kubectl reads (patch bodies); default fs.promises.writeFile. Tests inject a failing one (a full disk). */
  writeFile?: WriteFileFn;
}

export type WriteFileFn = (path: string, data: string, options: { readonly mode: number; readonly flag: string }) => Promise<void>;

export interface RunOptions {
  stdin?: string;
  timeoutMs?: number;
  /** default true */
  retry?: boolean;
  /** Per call; null = no -n; undefined = connection.namespace. */
  namespace?: string | null;
  signal?: AbortSignal;
  /**
   * Absolute time on the runner's clock (kubectl.clock.now()) that this call must not outlast: no retry
   * starts too close to it and each attempt's process timeout is capped at the time left.
   */
  deadlineMs?: number;
  /** Transient reasons not to retry in this call, e.g. Timeout when kubectl's own --timeout is the bound. */
  noRetry?: readonly KubectlReason[];
}

export interface StreamOptions {
  onLine: (line: string) => void;
  onStderrLine?: (line: string) => void;
  namespace?: string | null;
  signal?: AbortSignal;
}

export interface KubectlStream {
  /** Resolves (never rejects) when kubectl ended; stdout is not kept (it went to onLine). */
  readonly done: Promise<KubectlResult>;
  /** Sends SIGTERM. The real kubectl traps it and exits with code 1 (as on SIGINT), so `done` then
   * shows exitCode 1 rather than a signal: the caller knows it stopped the stream. */
  stop(): void;
}

interface Deps {
  readonly env: Readonly<Record<string, string | undefined>> | undefined;
  readonly timeoutMs: number;
  readonly retry: Required<RetryPolicy> | false;
  readonly spawn: SpawnFn;
  readonly streamSpawn: StreamSpawnFn;
  readonly sleep: Sleep;
  readonly clock: Clock;
  readonly onAttempt: ((event: AttemptEvent) => void) | undefined;
  readonly writeFile: WriteFileFn;
}

const WHERE = 'kubectl options';

function validateTimeout(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${where} must be a positive finite number of milliseconds, got ${String(value)}`);
  }
  return value;
}

function validateFunction<T>(value: T | undefined, where: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') throw new TypeError(`${where} must be a function, got ${typeof value}`);
  return value;
}

function validateClock(value: Clock | undefined, where: string): Clock | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || typeof value.now !== 'function' || typeof value.setTimer !== 'function') {
    throw new TypeError(`${where} must be a Clock { now(), setTimer(fn, ms) }, got ${value === null ? 'null' : typeof value}`);
  }
  return value;
}

function depsFrom(options: KubectlOptions): Deps {
  if (options.env !== undefined && (typeof options.env !== 'object' || options.env === null)) {
    throw new TypeError(`${WHERE}.env must be an object of environment variables, got ${typeof options.env}`);
  }
  return {
    env: options.env,
    timeoutMs: options.timeoutMs === undefined ? DEFAULT_TIMEOUT_MS : validateTimeout(options.timeoutMs, `${WHERE}.timeoutMs`),
    retry: options.retry === false ? false : validateRetryPolicy(options.retry ?? DEFAULT_RETRY_POLICY, `${WHERE}.retry`),
    spawn: validateFunction(options.spawn, `${WHERE}.spawn`) ?? execaSpawn,
    streamSpawn: validateFunction(options.streamSpawn, `${WHERE}.streamSpawn`) ?? execaStreamSpawn,
    sleep: validateFunction(options.sleep, `${WHERE}.sleep`) ?? sleepOrReject,
    clock: validateClock(options.clock, `${WHERE}.clock`) ?? systemClock,
    onAttempt: validateFunction(options.onAttempt, `${WHERE}.onAttempt`),
    writeFile: validateFunction(options.writeFile, `${WHERE}.writeFile`) ?? ((path, data, o) => writeFile(path, data, o)),
  };
}

function connectionFrom(options: KubectlConnection): KubectlConnection {
  validateConnection(options, WHERE);
  const connection: KubectlConnection = {};
  if (options.binary !== undefined) connection.binary = options.binary;
  if (options.kubeconfig !== undefined) connection.kubeconfig = options.kubeconfig;
  if (options.context !== undefined) connection.context = options.context;
  if (options.namespace !== undefined) connection.namespace = options.namespace;
  return Object.freeze(connection);
}

function validateArgs(args: readonly string[]): void {
  if (!Array.isArray(args) || args.some((arg) => typeof arg !== 'string')) {
    throw new TypeError('kubectl args must be an array of strings');
  }
}

/** What siblings made by with() share: the binary, hence its version check. */
interface Shared {
  version?: Promise<{ client: string }>;
}
const sharedOf = new WeakMap<KubectlOptions, Shared>();

export class Kubectl {
  readonly connection: KubectlConnection;
  readonly #deps: Deps;
  /** Kept so with() builds a sibling sharing the same injected dependencies. */
  readonly #options: KubectlOptions;
  readonly #shared: Shared;

  constructor(options: KubectlOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError(`${WHERE} must be an object, got ${String(options)}`);
    this.connection = connectionFrom(options);
    this.#deps = depsFrom(options);
    this.#options = { ...options };
    this.#shared = sharedOf.get(options) ?? {};
  }

  /** Same dependencies, other connection values (e.g. another namespace or context). */
  with(overrides: Partial<KubectlConnection>): Kubectl {
    validateConnection(overrides, 'kubectl.with() overrides');
    const options: KubectlOptions = { ...this.#options, ...this.connection, ...overrides };
    if (overrides.binary === undefined || overrides.binary === this.connection.binary) sharedOf.set(options, this.#shared);
    return new Kubectl(options);
  }

  /**
   * Checks once per binary (this runner and its with() siblings) that kubectl is new enough;
   * KubectlError 'KubectlTooOld' / 'KubectlNotFound' otherwise. A failed check is tried again.
   */
  ensureVersion(): Promise<{ client: string }> {
    this.#shared.version ??= checkKubectlVersion(this).catch((error: unknown) => {
      this.#shared.version = undefined;
      throw error;
    });
    return this.#shared.version;
  }

  /** Creates `path` (it must not exist) with mode 0600 holding `data`, for kubectl to read (see patch-file.ts). */
  writePrivateFile(path: string, data: string): Promise<void> {
    return this.#deps.writeFile(path, data, { mode: 0o600, flag: 'wx' });
  }

  /** The runner's clock (injected, default systemClock): the time base of RunOptions.deadlineMs. */
  get clock(): Clock {
    return this.#deps.clock;
  }

  /** exit 0 → result; otherwise KubectlError (after retrying TRANSIENT_REASONS unless retry: false). */
  async run(args: readonly string[], options: RunOptions = {}): Promise<KubectlResult> {
    const policy = options.retry === false ? false : this.#deps.retry;
    this.#checkDeadline(args, options);
    return withRetry(
      async (attempt) => {
        const result = await this.#once(args, options);
        // A caller's abort is not a kubectl failure: reject with the caller's reason, as fetch() does.
        options.signal?.throwIfAborted();
        const failure = classify(result);
        if (failure === undefined) {
          this.#deps.onAttempt?.({ argv: result.argv, attempt, result, willRetry: false });
          return result;
        }
        throw new KubectlError({ ...failure, result, attempts: attempt });
      },
      {
        policy,
        sleep: this.#deps.sleep,
        clock: this.#deps.clock,
        ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
        ...(options.noRetry === undefined ? {} : { noRetry: new Set(options.noRetry) }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        onFailure: ({ error, attempt, willRetry, delayMs }) => {
          const result = error.result;
          if (result === undefined) return;
          log('%s failed (%s), attempt %d%s', result.argv.join(' '), error.reason, attempt, willRetry ? `, retry in ${delayMs} ms` : '');
          this.#deps.onAttempt?.({ argv: result.argv, attempt, result, reason: error.reason, willRetry, ...(delayMs === undefined ? {} : { delayMs }) });
        },
      },
    );
  }

  /** One attempt, never throws: the caller inspects the result (and may classify() it). */
  async tryRun(args: readonly string[], options: RunOptions = {}): Promise<KubectlResult> {
    this.#checkDeadline(args, options);
    const result = await this.#once(args, options);
    const failure = classify(result);
    this.#deps.onAttempt?.({ argv: result.argv, attempt: 1, result, ...(failure === undefined ? {} : { reason: failure.reason }), willRetry: false });
    return result;
  }

  /** Long-running kubectl (watch): no timeout; stdout and stderr delivered line by line, in order. */
  stream(args: readonly string[], options: StreamOptions): KubectlStream {
    validateArgs(args);
    if (typeof options.onLine !== 'function') throw new TypeError('kubectl.stream(): options.onLine must be a function');
    const argv = buildArgv(this.connection, args, this.#namespace(options.namespace));
    const file = this.connection.binary ?? 'kubectl';
    const handle = this.#deps.streamSpawn(file, argv, {
      env: this.#env(),
      onLine: options.onLine,
      ...(options.onStderrLine === undefined ? {} : { onStderrLine: options.onStderrLine }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const done = handle.done.then((ended) => {
      const result: KubectlResult = { ...ended, argv: redactArgv(ended.argv) };
      log('stream %s ended: exit %s signal %s after %d ms', result.argv.join(' '), String(result.exitCode), result.signal ?? '-', Math.round(result.durationMs));
      return result;
    });
    return { done, stop: () => handle.stop() };
  }

  /** TypeError for a malformed deadline; KubectlError Timeout (kubectl not started) when it has passed. */
  #checkDeadline(args: readonly string[], options: RunOptions): void {
    const { deadlineMs } = options;
    if (deadlineMs === undefined) return;
    if (!Number.isFinite(deadlineMs)) throw new TypeError(`run options.deadlineMs must be a finite time in ms, got ${String(deadlineMs)}`);
    if (deadlineMs > this.#deps.clock.now()) return;
    validateArgs(args);
    const argv = redactArgv([this.connection.binary ?? 'kubectl', ...buildArgv(this.connection, args, this.#namespace(options.namespace))]);
    throw new KubectlError({ reason: 'Timeout', message: `${commandLabel(argv)}: Timeout: the caller's deadline passed before kubectl was started` });
  }

  async #once(args: readonly string[], options: RunOptions): Promise<KubectlResult> {
    validateArgs(args);
    const argv = buildArgv(this.connection, args, this.#namespace(options.namespace));
    const ownTimeoutMs = options.timeoutMs === undefined ? this.#deps.timeoutMs : validateTimeout(options.timeoutMs, 'run options.timeoutMs');
    // withRetry starts no attempt with less than MIN_ATTEMPT_MS left, so this stays positive.
    const timeoutMs = options.deadlineMs === undefined ? ownTimeoutMs : Math.max(1, Math.min(ownTimeoutMs, options.deadlineMs - this.#deps.clock.now()));
    const file = this.connection.binary ?? 'kubectl';
    const spawned = await this.#deps.spawn(file, argv, {
      timeoutMs,
      env: this.#env(),
      ...(options.stdin === undefined ? {} : { input: options.stdin }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    // Again here, not only in spawn.ts: an injected spawn must not be able to leak a secret either.
    const result: KubectlResult = { ...spawned, argv: redactArgv(spawned.argv) };
    log('%s → exit %s%s in %d ms', result.argv.join(' '), String(result.exitCode), result.timedOut ? ' (timed out)' : '', Math.round(result.durationMs));
    return result;
  }

  #namespace(choice: NamespaceChoice): NamespaceChoice {
    if (typeof choice === 'string') validateNamespace(choice, 'namespace of the call');
    return choice;
  }

  #env(): Record<string, string | undefined> {
    return { ...(this.#deps.env ?? process.env) };
  }
}
