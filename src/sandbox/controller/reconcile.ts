/**
 * Decision logic of the fake Task controller, which stands in for the in-cluster ALICE task
 * manager: given one Task and what the loop observed about it, decide which status to write and
 * when. Pure: no clock, no I/O, so every hook is unit-testable without timers.
 *
 * Behaviour (mirrors upstream's lower-case states: standby, configured, running, error, done):
 * - `status.state` follows `spec.state` (lower-cased) `delayMs` after the loop first saw that
 *   desired state (default 200 ms). A fresh Task without status gets `status.state = spec.state`.
 *   `deployed` is mirrored as-is, like every other desired value.
 * - Once `status.state` is `error` or `done` the Task stays there (terminal, as upstream).
 * - A Task without a string `spec.state` is left alone (nothing to follow).
 *
 * Test hooks (annotations on the Task):
 * - `kubectl-task.io/fake-delay-ms: "<n>"`: per-Task delay instead of the controller's default.
 * - `kubectl-task.io/fake-error-on: "<state>"`: when asked to reach `<state>`, write
 *   `status.state: error` and `status.error: <kubectl-task.io/fake-error-message>` (or a default
 *   message naming the transition, e.g. `fake controller: standby -> configured failed`).
 * - `kubectl-task.io/fake-done-after-ms: "<n>"`: n ms after the Task reached `running`, write
 *   `status.state: done`.
 * - `kubectl-task.io/fake-stuck: "true"`: never write anything (for transition-timeout tests).
 */
import type { JsonObject, JsonValue } from '../../json.ts';
import { isJsonObject } from '../../json.ts';

export const ANNOTATION_DELAY_MS = 'kubectl-task.io/fake-delay-ms';
export const ANNOTATION_ERROR_ON = 'kubectl-task.io/fake-error-on';
export const ANNOTATION_ERROR_MESSAGE = 'kubectl-task.io/fake-error-message';
export const ANNOTATION_DONE_AFTER_MS = 'kubectl-task.io/fake-done-after-ms';
export const ANNOTATION_STUCK = 'kubectl-task.io/fake-stuck';

export const DEFAULT_DELAY_MS = 200;

/** Status states the upstream task manager reports; terminal ones never change again. */
export const TERMINAL_STATES: ReadonlySet<string> = new Set(['error', 'done']);

export type ReconcilePlan = { readonly kind: 'none' } | { readonly kind: 'write'; readonly atMs: number; readonly status: JsonObject };

export interface ReconcileInput {
  readonly task: JsonObject;
  /** The controller's delay when the Task has no valid delay annotation. */
  readonly defaultDelayMs: number;
  /** When the loop first saw the current `spec.state` value (ms, the loop's clock). */
  readonly desiredSinceMs: number;
  /** When the loop first saw the current `status.state` value (ms, the loop's clock). */
  readonly actualSinceMs: number;
}

const NONE: ReconcilePlan = { kind: 'none' };

export function reconcile(input: ReconcileInput): ReconcilePlan {
  const { task } = input;
  const annotations = annotationsOf(task);
  if (annotations[ANNOTATION_STUCK] === 'true') return NONE;

  const desired = desiredStateOf(task);
  if (desired === undefined) return NONE;
  const actual = actualStateOf(task);
  if (actual !== undefined && TERMINAL_STATES.has(actual)) return NONE;

  if (actual === desired) {
    const doneAfter = parseMs(annotations[ANNOTATION_DONE_AFTER_MS]);
    if (desired === 'running' && doneAfter !== undefined) {
      return { kind: 'write', atMs: input.actualSinceMs + doneAfter, status: { state: 'done' } };
    }
    return NONE;
  }

  const delay = parseMs(annotations[ANNOTATION_DELAY_MS]) ?? input.defaultDelayMs;
  const atMs = input.desiredSinceMs + delay;
  const errorOn = annotations[ANNOTATION_ERROR_ON]?.trim().toLowerCase();
  if (errorOn !== undefined && errorOn === desired) {
    const message = annotations[ANNOTATION_ERROR_MESSAGE] ?? `fake controller: ${actual ?? '(none)'} -> ${desired} failed (annotation ${ANNOTATION_ERROR_ON})`;
    return { kind: 'write', atMs, status: { state: 'error', error: message } };
  }
  return { kind: 'write', atMs, status: { state: desired } };
}

/** Lower-cased `spec.state`, or undefined when absent or not a string. */
export function desiredStateOf(task: JsonObject): string | undefined {
  const value = objectAt(task, 'spec')?.['state'];
  return typeof value === 'string' && value !== '' ? value.toLowerCase() : undefined;
}

/** Lower-cased `status.state`, or undefined when there is no status yet. */
export function actualStateOf(task: JsonObject): string | undefined {
  const value = objectAt(task, 'status')?.['state'];
  return typeof value === 'string' && value !== '' ? value.toLowerCase() : undefined;
}

function annotationsOf(task: JsonObject): Record<string, string> {
  const raw = objectAt(objectAt(task, 'metadata') ?? {}, 'annotations') ?? {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

function objectAt(obj: JsonObject, key: string): JsonObject | undefined {
  const value: JsonValue | undefined = obj[key];
  return isJsonObject(value) ? value : undefined;
}

/** A non-negative integer number of milliseconds; anything else counts as absent. */
function parseMs(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return undefined;
  const n = Number.parseInt(raw, 10);
  return Number.isSafeInteger(n) ? n : undefined;
}
