/**
 * How a KubectlTask hears about its Task. One watch per task by default; the executor bridge
 * plugs in a shared per-namespace watcher through the same factory shape.
 */
import type { Kubectl } from '../kubectl/runner.ts';
import type { ObjectRef } from '../kubectl/types.ts';
import { watchObject, type WatchEvent } from '../watch/object-watcher.ts';

export interface MonitorHandle {
  stop(): Promise<void>;
}

export type MonitorFactory = (args: { kubectl: Kubectl; ref: ObjectRef; onEvent: (event: WatchEvent) => void }) => MonitorHandle;

export const defaultMonitor: MonitorFactory = ({ kubectl, ref, onEvent }) => watchObject({ kubectl, ref, onEvent });

/** A monitor factory with tuned knobs (poll interval, error limit) for the per-task watch. */
export function perTaskMonitor(options: { errorLimit?: number; pollIntervalMs?: number; watchFailuresBeforePolling?: number }): MonitorFactory {
  return ({ kubectl, ref, onEvent }) => watchObject({ kubectl, ref, onEvent, ...options });
}
