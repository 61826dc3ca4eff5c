/**
 * Long-running commands (sandbox, fake-controller, demo, a future serve) end with whatever started
 * them. A script or `npx` that dies (SIGKILL, a crash, a closed terminal with nohup'd children)
 * sends its children no signal: they are re-parented to init or a subreaper and would run on,
 * holding a port and a kubeconfig with tokens. Node has no prctl(PR_SET_PDEATHSIG), so the parent
 * pid is polled: `process.ppid` is read from the OS on every access, and it changes exactly when
 * the parent is gone.
 */

export const PARENT_POLL_MS = 1_000;

export interface ParentWatchOptions {
  /** Poll period (default PARENT_POLL_MS). */
  readonly intervalMs?: number;
  /** The parent pid now (default: process.ppid); tests inject a fake. */
  readonly parentPid?: () => number;
}

/**
 * Calls onGone once, when the parent pid differs from the one at the call. Returns stop(). The
 * timer is unref'd: watching never keeps a process alive that has nothing else to do. A process
 * already adopted by init (ppid 1 at the start, e.g. a container's entry point) is never orphaned.
 */
export function watchParent(onGone: () => void, options: ParentWatchOptions = {}): () => void {
  const parentPid = options.parentPid ?? ((): number => process.ppid);
  const initial = parentPid();
  const timer = setInterval(() => {
    if (parentPid() === initial) return;
    clearInterval(timer);
    onGone();
  }, options.intervalMs ?? PARENT_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export interface OrphanAwareSignal {
  /** Aborted when `signal` is (SIGINT/SIGTERM in the CLI) or when the parent process is gone. */
  readonly signal: AbortSignal;
  /** True once the abort came from the parent's death (for the closing message). */
  orphaned(): boolean;
  /** Stops polling; call it on every way out. */
  stop(): void;
}

/** The command's signal, also aborted when the process that started this one is gone. */
export function exitWhenOrphaned(signal: AbortSignal, options: ParentWatchOptions = {}): OrphanAwareSignal {
  const parentGone = new AbortController();
  const stop = watchParent(() => parentGone.abort(new Error('the parent process is gone')), options);
  return {
    signal: AbortSignal.any([signal, parentGone.signal]),
    orphaned: () => parentGone.signal.aborted,
    stop,
  };
}

/** Resolves once `signal` is aborted (at once when it already is). */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
