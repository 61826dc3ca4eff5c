/**
 * The only module that starts processes (execa). Success and failure come back in one shape
 * (KubectlResult); a binary that cannot be started is a result with `spawnError`, not a throw.
 */
import { execa } from 'execa';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { redactArgv } from './redact.ts';
import type { KubectlResult } from './types.ts';

export interface SpawnOptions {
  input?: string;
  timeoutMs: number;
  env: Record<string, string | undefined>;
  signal?: AbortSignal;
}

export type SpawnFn = (file: string, args: readonly string[], options: SpawnOptions) => Promise<KubectlResult>;

export interface StreamSpawnOptions {
  env: Record<string, string | undefined>;
  onLine: (line: string) => void;
  onStderrLine?: (line: string) => void;
  signal?: AbortSignal;
}

export interface StreamHandle {
  readonly done: Promise<KubectlResult>;
  stop(): void;
}

export type StreamSpawnFn = (file: string, args: readonly string[], options: StreamSpawnOptions) => StreamHandle;

/** Grace period between SIGTERM and SIGKILL when kubectl ignores a timeout or stop(). */
const FORCE_KILL_AFTER_MS = 2_000;
/** A watch may run for days: keep only the end of its stderr for diagnosis. */
const STDERR_TAIL_CHARS = 64 * 1024;

interface ExecaOutcome {
  exitCode?: number | undefined;
  signal?: string | undefined;
  timedOut: boolean;
  code?: string | undefined;
  durationMs: number;
}

function toResult(file: string, args: readonly string[], outcome: ExecaOutcome, stdout: string, stderr: string): KubectlResult {
  const spawnError = outcome.exitCode === undefined && outcome.signal === undefined && !outcome.timedOut ? (outcome.code ?? 'spawn failed') : undefined;
  return {
    argv: redactArgv([file, ...args]),
    exitCode: outcome.exitCode ?? null,
    stdout,
    stderr,
    durationMs: outcome.durationMs,
    timedOut: outcome.timedOut,
    ...(spawnError === undefined ? {} : { spawnError }),
    ...(outcome.signal === undefined ? {} : { signal: outcome.signal }),
  };
}

/**
 * kubectl children still running, killed when this process exits. execa's own `cleanup` relies on
 * signal-exit, which re-raises SIGTERM/SIGINT whenever its listener count matches its handler
 * count, killing the process before the CLI's own signal handler can stop watches cleanly. So we
 * do our own, on 'exit' only, and leave signals to the application.
 */
const live = new Set<{ kill(signal?: NodeJS.Signals): boolean }>();
let exitHookInstalled = false;

function track<T extends { kill(signal?: NodeJS.Signals): boolean }>(child: T, finished: Promise<unknown>): T {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGTERM');
    });
  }
  live.add(child);
  void finished.finally(() => live.delete(child));
  return child;
}

export const execaSpawn: SpawnFn = async (file, args, options) => {
  const subprocess = execa(file, [...args], {
    cleanup: false,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    timeout: options.timeoutMs,
    forceKillAfterDelay: FORCE_KILL_AFTER_MS,
    env: options.env,
    extendEnv: false,
    shell: false,
    reject: false,
    stripFinalNewline: false,
    encoding: 'utf8',
    ...(options.signal === undefined ? {} : { cancelSignal: options.signal }),
  });
  const result = await track(subprocess, subprocess);
  return toResult(file, args, result, String(result.stdout ?? ''), String(result.stderr ?? ''));
};

function forEachLine(stream: Readable | null, onLine: (line: string) => void): Promise<void> {
  if (stream === null) return Promise.resolve();
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', onLine);
  return new Promise((resolve) => lines.once('close', () => resolve()));
}

export const execaStreamSpawn: StreamSpawnFn = (file, args, options) => {
  const subprocess = execa(file, [...args], {
    cleanup: false,
    stdin: 'ignore',
    env: options.env,
    extendEnv: false,
    shell: false,
    reject: false,
    buffer: false,
    forceKillAfterDelay: FORCE_KILL_AFTER_MS,
    ...(options.signal === undefined ? {} : { cancelSignal: options.signal }),
  });
  track(subprocess, subprocess);
  let stderrTail = '';
  const stdoutDone = forEachLine(subprocess.stdout, (line) => options.onLine(line));
  const stderrDone = forEachLine(subprocess.stderr, (line) => {
    stderrTail = `${stderrTail}${line}\n`.slice(-STDERR_TAIL_CHARS);
    options.onStderrLine?.(line);
  });
  const done = (async (): Promise<KubectlResult> => {
    const outcome = await subprocess;
    await Promise.all([stdoutDone, stderrDone]);
    // stdout went line by line to onLine; it is not kept (a watch may print without end).
    return toResult(file, args, outcome, '', stderrTail);
  })();
  return {
    done,
    stop: () => {
      subprocess.kill('SIGTERM');
    },
  };
};
