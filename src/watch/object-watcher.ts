/**
 * Follows one object the way client-go's reflector follows a list: `kubectl get <type>
 * --field-selector metadata.name=<name> --watch -o json --output-watch-events` lists (printing
 * the object as ADDED) and then watches from the list's resourceVersion, so no change falls
 * between the read and the watch. (Watching `<type>/<name>` instead starts from "now" and kubectl
 * drops the first event, which loses a change made between its GET and its watch.) Reconnect with
 * backoff when the stream ends, reset the backoff once events flow, and fall back to polling
 * `kubectl get -o json` when watching keeps failing. Every failure counts towards a consecutive-error limit that any success resets (the
 * original executor never reset its counter, so five blips a day killed healthy tasks); only a
 * failure that is not transient (Forbidden, a CRD gone: not Unreachable, Timeout, 429, 5xx or a
 * killed kubectl) ends the watch at the limit, so an outage of any length is waited out.
 */
import createDebug from 'debug';
import { sleepUntilAborted, systemClock, type Clock, type Sleep } from '../clock.ts';
import type { Kubectl } from '../kubectl/runner.ts';
import { getObject, resourceArg, resourceType } from '../kubectl/commands.ts';
import { KubectlError } from '../kubectl/errors.ts';
import { classify, killedBySignal } from '../kubectl/classify.ts';
import { TRANSIENT_REASONS, type KubeObject, type KubectlResult, type ObjectRef } from '../kubectl/types.ts';
import { Backoff } from './backoff.ts';
import { JsonValueSplitter, parseWatchEvent } from './json-stream.ts';

const debug = createDebug('kubectl-task:watch');

export type WatchEvent =
  | { readonly type: 'observed'; readonly object: KubeObject; readonly via: 'watch' | 'poll' }
  | { readonly type: 'deleted' }
  | { readonly type: 'error'; readonly error: KubectlError; readonly consecutive: number }
  | { readonly type: 'gave-up'; readonly error: KubectlError };

export type WatchMode = 'watch' | 'poll' | 'stopped';

export interface ObjectWatcherOptions {
  readonly kubectl: Kubectl;
  readonly ref: ObjectRef;
  readonly onEvent: (event: WatchEvent) => void;
  /** Consecutive failures (of watch or poll) after which the watcher gives up, on one that is not transient. Default 5. */
  readonly errorLimit?: number;
  /** Failed watch attempts in a row before switching to polling. Default 3. */
  readonly watchFailuresBeforePolling?: number;
  readonly pollIntervalMs?: number;
  /** Polls between two attempts to go back to watching. Default 10. */
  readonly pollsBeforeRewatch?: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /**
   * A list that matches nothing prints nothing: when no event came this long after (re)starting
   * the watch, a GET tells whether the object is gone. Default 2000.
   */
  readonly absenceCheckMs?: number;
  /** The backoff and poll waits (default sleepUntilAborted: stop() never waits one out). */
  readonly sleep?: Sleep;
  /** Arms the absence check (default systemClock). */
  readonly clock?: Clock;
}

export interface ObjectWatcher {
  readonly mode: WatchMode;
  /** Ends the watch; resolves once the kubectl process is gone. */
  stop(): Promise<void>;
  readonly done: Promise<void>;
}

export function watchObject(options: ObjectWatcherOptions): ObjectWatcher {
  const errorLimit = options.errorLimit ?? 5;
  const failuresBeforePolling = options.watchFailuresBeforePolling ?? 3;
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  const pollsBeforeRewatch = options.pollsBeforeRewatch ?? 10;
  const absenceCheckMs = options.absenceCheckMs ?? 2000;
  const sleep = options.sleep ?? sleepUntilAborted;
  const clock = options.clock ?? systemClock;
  if (!Number.isInteger(errorLimit) || errorLimit < 1) throw new TypeError(`errorLimit must be an integer >= 1, got ${errorLimit}`);
  if (!(pollIntervalMs > 0)) throw new TypeError(`pollIntervalMs must be > 0, got ${pollIntervalMs}`);
  const backoff = new Backoff(options.backoff ?? { initialMs: 250, maxMs: 10_000 });
  const abort = new AbortController();
  let mode: WatchMode = 'watch';
  let consecutiveErrors = 0;
  let watchFailures = 0;
  let stopStream: (() => void) | undefined;
  let expiredInARow = 0;

  const emit = (event: WatchEvent): void => {
    if (mode !== 'stopped') options.onEvent(event);
  };
  /** Returns false when the limit is reached and the watcher must end. */
  const recordError = (error: KubectlError): boolean => {
    consecutiveErrors += 1;
    debug('%s: %s (%d/%d)', resourceArg(options.ref), error.message, consecutiveErrors, errorLimit);
    // A server that cannot be reached (or answers 5xx/429, or a killed kubectl) proves nothing
    // about the object: keep trying for as long as that lasts. The limit is for failures that
    // will not go away by themselves (Forbidden, a CRD gone).
    if (consecutiveErrors >= errorLimit && !isTransient(error)) {
      emit({ type: 'gave-up', error });
      return false;
    }
    emit({ type: 'error', error, consecutive: consecutiveErrors });
    return true;
  };
  const recordSuccess = (): void => {
    consecutiveErrors = 0;
  };

  /** 'again': reconnect now; 'pause': reconnect after a backoff (the run proved nothing). */
  const watchOnce = async (): Promise<'again' | 'pause' | 'deleted' | 'failed' | 'gave-up'> => {
    const splitter = new JsonValueSplitter();
    let events = 0;
    let deleted = false;
    let serverError: { code: number; message: string } | undefined;
    const stream = options.kubectl.stream(
      ['get', resourceType(options.ref), '--field-selector', `metadata.name=${options.ref.name}`, '--watch', '-o', 'json', '--output-watch-events'],
      {
        namespace: options.ref.namespace ?? null,
        signal: abort.signal,
        onLine: (line) => {
          for (const text of splitter.push(line)) {
            const event = parseWatchEvent(text);
            if (event === undefined) continue;
            if (event.type === 'ERROR') {
              // A Status in the stream (410 Expired, 500…): this watch is over whatever kubectl does.
              serverError = statusOf(event.object);
              stopStream?.();
              continue;
            }
            // kubectl prints the object it GETs before watching; only a later event proves the
            // watch itself works, so only that resets the watch failure count and the backoff.
            events += 1;
            if (events === 2) {
              watchFailures = 0;
              backoff.reset();
            }
            recordSuccess();
            if (event.type === 'DELETED') {
              deleted = true;
              emit({ type: 'deleted' });
              stopStream?.();
            } else {
              emit({ type: 'observed', object: event.object, via: 'watch' });
            }
          }
        },
      },
    );
    stopStream = () => stream.stop();
    const cancelAbsenceCheck = clock.setTimer(() => {
      if (events > 0) return;
      getObject(options.kubectl, options.ref).then(
        (object) => {
          if (object !== undefined || events > 0 || deleted) return;
          deleted = true;
          emit({ type: 'deleted' });
          stream.stop();
        },
        () => {}, // the watch itself reports trouble
      );
    }, absenceCheckMs);
    const result = await stream.done;
    cancelAbsenceCheck();
    stopStream = undefined;
    if (deleted) return 'deleted';
    if (abort.signal.aborted) return 'again';
    if (serverError?.code === 410) {
      // An expired resourceVersion: a fresh list fixes it, at once the first time; a server that
      // keeps answering 410 gets the backoff instead of a kubectl started in a tight loop.
      expiredInARow += 1;
      return expiredInARow === 1 ? 'again' : 'pause';
    }
    expiredInARow = 0;
    if (serverError !== undefined) {
      watchFailures += 1;
      const error = new KubectlError({
        reason: serverError.code >= 500 ? 'ServerError' : 'Unknown',
        message: `kubectl get --watch: watch ended by the server: ${serverError.message}`,
        result,
        attempts: 1,
      });
      return recordError(error) ? 'failed' : 'gave-up';
    }
    const failure = classify(result);
    // The server ended the watch cleanly. After a working watch, reconnect at once; if it ended
    // before any change came through (a proxy that cuts watches), back off instead of spinning.
    if (failure === undefined) return events >= 2 ? 'again' : 'pause';
    if (failure.reason === 'NotFound') {
      emit({ type: 'deleted' });
      return 'deleted';
    }
    watchFailures += 1;
    return recordError(toError(result, failure)) ? 'failed' : 'gave-up';
  };

  const pollOnce = async (): Promise<'again' | 'deleted' | 'gave-up'> => {
    try {
      const object = await getObject(options.kubectl, options.ref);
      recordSuccess();
      if (object === undefined) {
        emit({ type: 'deleted' });
        return 'deleted';
      }
      emit({ type: 'observed', object, via: 'poll' });
      return 'again';
    } catch (error) {
      if (!(error instanceof KubectlError)) throw error;
      return recordError(error) ? 'again' : 'gave-up';
    }
  };

  const loop = async (): Promise<void> => {
    let polls = 0;
    while (!abort.signal.aborted) {
      if (mode === 'watch') {
        const outcome = await watchOnce();
        if (outcome === 'deleted' || outcome === 'gave-up') break;
        if (outcome === 'pause') await sleep(backoff.next(), abort.signal);
        if (outcome === 'failed') {
          if (watchFailures >= failuresBeforePolling) {
            debug('%s: watch failed %d times, polling every %d ms', resourceArg(options.ref), watchFailures, pollIntervalMs);
            mode = 'poll';
            polls = 0;
            continue;
          }
          await sleep(backoff.next(), abort.signal);
        }
      } else if (mode === 'poll') {
        const outcome = await pollOnce();
        if (outcome !== 'again') break;
        polls += 1;
        await sleep(pollIntervalMs, abort.signal);
        if (polls >= pollsBeforeRewatch && !abort.signal.aborted) {
          mode = 'watch';
          watchFailures = failuresBeforePolling - 1; // one more failure sends it back to polling
        }
      }
    }
    mode = 'stopped';
  };

  const done = loop();
  return {
    get mode() {
      return mode;
    },
    async stop() {
      abort.abort();
      stopStream?.();
      mode = 'stopped';
      await done;
    },
    done,
  };
}

function statusOf(object: KubeObject): { code: number; message: string } {
  const code = object['code'];
  const message = object['message'];
  return { code: typeof code === 'number' ? code : 0, message: typeof message === 'string' ? message : JSON.stringify(object).slice(0, 200) };
}

function isTransient(error: KubectlError): boolean {
  return TRANSIENT_REASONS.has(error.reason) || killedBySignal(error.result);
}

function toError(result: KubectlResult, failure: NonNullable<ReturnType<typeof classify>>): KubectlError {
  return new KubectlError({ reason: failure.reason, message: failure.message, result, attempts: 1 });
}
