/**
 * What a Kubectl runner takes: its options (validated into the dependencies it runs with), and
 * the options of one call, one stream, and the events it reports.
 */
import { writeFile } from 'node:fs/promises';
import { sleepOrReject, systemClock, type Clock, type Sleep } from '../clock.ts';
import type { KubectlReason } from '../errors.ts';
import { validateConnection, type KubectlConnection } from './argv.ts';
import { DEFAULT_RETRY_POLICY, validateRetryPolicy, type RetryPolicy } from './retry.ts';
import { execaSpawn, execaStreamSpawn, type SpawnFn, type StreamSpawnFn } from './spawn.ts';
import type { KubectlResult } from './types.ts';

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
   * Absolute time on the runner's clock (kubectl.clock.now()) that this call must not outlast: no
   * retry starts too close to it and each attempt's process timeout is capped at the time left.
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

/** The options as the runner uses them: validated, with every default filled in. */
export interface Deps {
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

export const WHERE = 'kubectl options';

export function validateTimeout(value: unknown, where: string): number {
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

export function depsFrom(options: KubectlOptions): Deps {
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

export function connectionFrom(options: KubectlConnection): KubectlConnection {
  validateConnection(options, WHERE);
  const connection: KubectlConnection = {};
  if (options.binary !== undefined) connection.binary = options.binary;
  if (options.kubeconfig !== undefined) connection.kubeconfig = options.kubeconfig;
  if (options.context !== undefined) connection.context = options.context;
  if (options.namespace !== undefined) connection.namespace = options.namespace;
  return Object.freeze(connection);
}

export function validateArgs(args: readonly string[]): void {
  if (!Array.isArray(args) || args.some((arg) => typeof arg !== 'string')) {
    throw new TypeError('kubectl args must be an array of strings');
  }
}
