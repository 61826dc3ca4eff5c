/**
 * Kubectl: the one runner every kubectl call goes through. It builds argv (argv.ts), starts kubectl
 * without a shell and with an explicit environment (spawn.ts), classifies the outcome (classify.ts)
 * and retries transient reasons (retry.ts).
 */
import createDebug from 'debug';
import type { Clock } from '../clock.ts';
import { buildArgv, validateConnection, validateNamespace } from './argv.ts';
import type { KubectlConnection, NamespaceChoice } from './argv.ts';
import { classify, commandLabel } from './classify.ts';
import { redactArgv } from './redact.ts';
import { KubectlError } from './errors.ts';
import { withRetry } from './retry.ts';
import {
  connectionFrom,
  depsFrom,
  validateArgs,
  validateTimeout,
  WHERE,
  type Deps,
  type KubectlOptions,
  type KubectlStream,
  type RunOptions,
  type StreamOptions,
} from './runner-options.ts';
import { checkKubectlVersion } from './version.ts';
import type { KubectlResult } from './types.ts';

export type { KubectlConnection } from './argv.ts';
export type { RetryPolicy } from './retry.ts';
export type { SpawnFn, StreamSpawnFn } from './spawn.ts';
export type { AttemptEvent, KubectlOptions, KubectlStream, RunOptions, StreamOptions, WriteFileFn } from './runner-options.ts';

const log = createDebug('kubectl-task:kubectl');

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
      const { exitCode, signal, durationMs } = result;
      log('stream %s ended: exit %s signal %s after %d ms', result.argv.join(' '), String(exitCode), signal ?? '-', Math.round(durationMs));
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
