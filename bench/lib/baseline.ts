/**
 * What one kubectl costs on this cluster, measured in the same run: the wall time and CPU of the
 * original's poll (`kubectl get <task> -o jsonpath={.status.state}`), and the memory of one
 * `kubectl get --watch` (what the per-task strategy keeps per task).
 */
import { spawn } from 'node:child_process';
import { buildArgv } from '../../src/kubectl/argv.ts';
import type { BenchCluster } from './cluster.ts';
import { PROBE_TASK as PROBE, probeYaml, TASK_RESOURCE } from './cluster.ts';
import { readCpu, readMemory } from './procfs.ts';
import { epochMs } from './protocol.ts';
import { median } from './stats.ts';

export interface Baseline {
  readonly runs: number;
  /** Median wall time of one `kubectl get … -o jsonpath={.status.state}`, ms. */
  readonly getWallMs: number;
  /** Its CPU (user+system, from the orchestrator's cutime/cstime), seconds per call. */
  readonly getCpuSeconds: number;
  /** One `kubectl get --watch` after it has listed: VmRSS and RssAnon, bytes. */
  readonly watchRss: number;
  readonly watchAnon: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One `kubectl get --watch` of the probe, started directly so its pid can be read. */
async function watchMemory(cluster: BenchCluster, binary: string): Promise<{ rss: number; anon: number }> {
  const argv = buildArgv(
    cluster.kubectl.connection,
    ['get', TASK_RESOURCE, '--field-selector', `metadata.name=${PROBE}`, '--watch', '-o', 'json', '--output-watch-events'],
    cluster.namespace,
  );
  const child = spawn(binary, argv, { env: { ...cluster.env }, stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`bench: kubectl get --watch ended with ${String(code)}`)));
    });
    await sleep(1000);
    const memory = child.pid === undefined ? undefined : readMemory(child.pid);
    return { rss: memory?.rss ?? 0, anon: memory?.anon ?? 0 };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
  }
}

export async function measureBaseline(cluster: BenchCluster, binary: string, runs = 10): Promise<Baseline> {
  const k = cluster.kubectl;
  await k.run(['apply', '-f', '-'], { stdin: probeYaml(cluster.namespace) });
  try {
    const get = ['get', TASK_RESOURCE, PROBE, '-o', 'jsonpath={.status.state}'];
    for (let i = 0; i < 50; i++) {
      if ((await k.run(get)).stdout.trim() !== '') break;
      await sleep(200);
    }
    await k.run(get); // warm: discovery cache
    const walls: number[] = [];
    const cpuBefore = readCpu(process.pid)?.reapedChildrenSeconds ?? 0;
    for (let i = 0; i < runs; i++) {
      const started = epochMs();
      await k.run(get, { retry: false });
      walls.push(epochMs() - started);
    }
    const cpuAfter = readCpu(process.pid)?.reapedChildrenSeconds ?? 0;
    const watch = await watchMemory(cluster, binary);
    return { runs, getWallMs: median(walls), getCpuSeconds: (cpuAfter - cpuBefore) / runs, watchRss: watch.rss, watchAnon: watch.anon };
  } finally {
    await k.run(['delete', TASK_RESOURCE, PROBE, '--ignore-not-found', '--wait=true']).catch(() => undefined);
  }
}
