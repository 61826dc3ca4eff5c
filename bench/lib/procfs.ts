/**
 * What the benchmark reads from /proc (Linux only): CPU ticks and RSS of a process and of its
 * direct children. kubectl (also behind the Cloud SDK dispatcher, which execs it) starts no
 * process of its own, so the direct children of a worker are exactly its kubectl processes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of utime/stime in /proc/<pid>/stat (almost always 100). */
export const CLOCK_TICKS: number = (() => {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
})();

export interface ProcCpu {
  readonly pid: number;
  readonly comm: string;
  readonly ppid: number;
  /** Own user+system CPU, seconds. */
  readonly selfSeconds: number;
  /** CPU of children it has waited for (cutime+cstime), seconds. */
  readonly reapedChildrenSeconds: number;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process ended meanwhile
  }
}

export function readCpu(pid: number): ProcCpu | undefined {
  const text = readText(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < 0) return undefined;
  // After "pid (comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
  const fields = text.slice(close + 2).split(' ');
  const tick = (i: number): number => Number(fields[i] ?? 0) / CLOCK_TICKS;
  return {
    pid,
    comm: text.slice(open + 1, close),
    ppid: Number(fields[1] ?? 0),
    selfSeconds: tick(11) + tick(12),
    reapedChildrenSeconds: tick(13) + tick(14),
  };
}

export interface ProcMemory {
  /** VmRSS, bytes. */
  readonly rss: number;
  /** RssAnon (private heap and stacks, not the mapped binary), bytes. */
  readonly anon: number;
}

export function readMemory(pid: number): ProcMemory | undefined {
  const text = readText(`/proc/${pid}/status`);
  if (text === undefined) return undefined;
  const kib = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return match === null ? 0 : Number(match[1]) * 1024;
  };
  return { rss: kib('VmRSS'), anon: kib('RssAnon') };
}

/** The direct children of a process (all its threads' children lists). */
export function childrenOf(pid: number): number[] {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children = new Set<number>();
  for (const tid of threads) {
    const text = readText(`/proc/${pid}/task/${tid}/children`);
    if (text === undefined) continue;
    for (const part of text.trim().split(/\s+/)) if (part !== '') children.add(Number(part));
  }
  return [...children];
}

/**
 * Own CPU of a live process in seconds, to the nanosecond: the sum of its threads'
 * sum_exec_runtime (/proc/<pid>/task/<tid>/schedstat). /proc/<pid>/stat counts in clock ticks
 * (10 ms), too coarse for an idle watch over a short window. Threads that already ended are
 * missing from the sum; kubectl's (Go's) threads live as long as the process.
 */
export function liveCpuSeconds(pid: number): number | undefined {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let ns = 0;
  for (const tid of threads) {
    const text = readText(`/proc/${pid}/task/${tid}/schedstat`);
    if (text !== undefined) ns += Number(text.split(' ')[0] ?? 0);
  }
  return ns / 1e9;
}

/**
 * CPU used so far by the children of a process: those it has reaped (its cutime/cstime, which
 * holds each one's whole life) and those still running (their own CPU). A child moves from the
 * second term to the first when it is reaped, so the sum only grows, and the difference of two
 * readings is the CPU the children spent between them.
 */
export function childrenCpuSeconds(pid: number): { reaped: number; live: number; liveCount: number } | undefined {
  const root = readCpu(pid);
  if (root === undefined) return undefined;
  let live = 0;
  let liveCount = 0;
  for (const child of childrenOf(pid)) {
    const own = liveCpuSeconds(child);
    const cpu = readCpu(child);
    if (own === undefined || cpu === undefined) continue;
    live += own + cpu.reapedChildrenSeconds;
    liveCount += 1;
  }
  return { reaped: root.reapedChildrenSeconds, live, liveCount };
}

/** Total physical memory and what is available now, bytes (/proc/meminfo). */
export function memInfo(): { total: number; available: number } {
  const text = readText('/proc/meminfo') ?? '';
  const kib = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return match === null ? 0 : Number(match[1]) * 1024;
  };
  return { total: kib('MemTotal'), available: kib('MemAvailable') };
}
