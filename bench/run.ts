/**
 * `npm run bench`: the cost of running N tasks three ways (poll, watch, fleet), side by side.
 * See bench/README.md. On the embedded sandbox by default; on any cluster with --kubeconfig.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { analyse, type RunMetrics } from './lib/analysis.ts';
import { parseBenchArgs, USAGE, type BenchArgs } from './lib/args.ts';
import { measureBaseline, type Baseline } from './lib/baseline.ts';
import { openCluster, readTemplate, ROOT, TASK_RESOURCE, type BenchCluster } from './lib/cluster.ts';
import { memInfo } from './lib/procfs.ts';
import type { StrategyName } from './lib/protocol.ts';
import { markdownTable, renderSvg, summaryLines, textTable, type SkippedRun, type TableRow } from './lib/report.ts';
import { checkTargets } from './lib/targets.ts';
import { runWorkload, type WorkloadRaw } from './lib/workload.ts';

const RESULTS = path.join(ROOT, 'bench', 'results');
const FULL_NS = [10, 100, 500, 1000];
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** Which source was measured: the checkout's commit (and whether it had local changes), or BENCH_COMMIT for a copy. */
function sourceCommit(): string {
  try {
    const commit = execFileSync('git', ['-C', ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty =
      execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src', 'bench', 'bin'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() !== '';
    return `${commit}${dirty ? ' (with local changes)' : ''}`;
  } catch {
    return process.env['BENCH_COMMIT'] ?? 'unknown';
  }
}

function uptimeText(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')}`;
  }
}

async function kubectlVersions(cluster: BenchCluster): Promise<{ client: string; server: string }> {
  try {
    const parsed: unknown = JSON.parse((await cluster.kubectl.run(['version', '-o', 'json'], { namespace: null })).stdout);
    const pick = (key: string): string => {
      if (typeof parsed !== 'object' || parsed === null || !(key in parsed)) return 'unknown';
      const info: unknown = (parsed as Record<string, unknown>)[key];
      return typeof info === 'object' && info !== null && 'gitVersion' in info && typeof info.gitVersion === 'string' ? info.gitVersion : 'unknown';
    };
    return { client: pick('clientVersion'), server: pick('serverVersion') };
  } catch {
    return { client: 'unknown', server: 'unknown' };
  }
}

/** Why a strategy cannot run at N on this machine, or undefined when it fits. */
function doesNotFit(strategy: StrategyName, n: number, args: BenchArgs, baseline: Baseline): string | undefined {
  if (args.force) return undefined;
  if (args.quick && strategy !== 'fleet' && n > 10) {
    return `--quick: ${n} tasks at one kubectl call each (and a kubectl per task) take minutes here; see the full run`;
  }
  const cores = os.cpus().length;
  if (strategy === 'watch') {
    // One resident kubectl per task, and as many short ones again while they launch.
    const need = 2 * n * baseline.watchAnon + baseline.watchRss;
    const usable = 0.6 * memInfo().available;
    if (need > usable) {
      return `one kubectl watch per task: ${n} × ${(baseline.watchRss / MiB).toFixed(0)} MiB RSS (${(baseline.watchAnon / MiB).toFixed(0)} MiB private) = ${((n * baseline.watchRss) / GiB).toFixed(0)} GiB RSS; ~${(need / GiB).toFixed(0)} GiB needed with its launches, ${(usable / GiB).toFixed(0)} GiB usable here`;
    }
  }
  if (strategy === 'poll') {
    const demand = (n / (args.pollIntervalMs / 1000)) * baseline.getCpuSeconds;
    if (demand > 2 * cores) {
      return `${n} gets every ${(args.pollIntervalMs / 1000).toFixed(0)} s × ${baseline.getCpuSeconds.toFixed(2)} CPU-s each needs ~${demand.toFixed(0)} cores; this machine has ${cores}`;
    }
  }
  return undefined;
}

/** Removes whatever a run left (a launch that failed half-way): only objects of this run's tasks. */
async function sweep(cluster: BenchCluster, raw: { readonly ids: readonly string[] }): Promise<number> {
  const ids = new Set(raw.ids);
  const listed = (await cluster.kubectl.run(['get', `${TASK_RESOURCE},configmaps`, '-l', 'app.kubernetes.io/managed-by=kubectl-task', '-o', 'name'])).stdout;
  const left = listed
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => {
      const name = l.slice(l.indexOf('/') + 1);
      return ids.has(name) || ids.has(name.replace(/-config$/, ''));
    });
  if (left.length > 0) await cluster.kubectl.run(['delete', ...left, '--ignore-not-found', '--wait=true']);
  return left.length;
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (process.platform !== 'linux') throw new Error('bench: reads /proc for CPU and memory: Linux only');
  const started = new Date();
  const uptimeBefore = uptimeText();
  log(`bench: ${uptimeBefore}`);
  const binary = args.kubectl ?? 'kubectl';
  const cluster = await openCluster({ ...args, log, ...(args.kubectl === undefined ? {} : { kubectl: args.kubectl }) });
  // Ctrl-C: the workers end with the IPC channel; what the bench made on a cluster is removed first.
  const interrupted = (signal: NodeJS.Signals): void => {
    log(`bench: ${signal}: cleaning up`);
    void cluster.close().then(
      (said) => {
        log(`bench: cleanup: ${said}`);
        process.exit(130);
      },
      () => process.exit(130),
    );
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  let cleanup = '';
  const runs: RunMetrics[] = [];
  const raws: WorkloadRaw[] = [];
  const skipped: SkippedRun[] = [];
  const rows: TableRow[] = [];
  let baseline: Baseline | undefined;
  let versions = { client: 'unknown', server: 'unknown' };
  try {
    versions = await kubectlVersions(cluster);
    log(`bench: on ${cluster.description}; kubectl ${versions.client}, server ${versions.server}`);
    baseline = await measureBaseline(cluster, binary);
    log(
      `bench: one kubectl get: ${baseline.getWallMs.toFixed(0)} ms wall, ${baseline.getCpuSeconds.toFixed(3)} CPU-s; one kubectl watch: ${(baseline.watchRss / MiB).toFixed(0)} MiB RSS (${(baseline.watchAnon / MiB).toFixed(0)} MiB private)`,
    );
    const templateText = await readTemplate();
    for (const n of args.tasks) {
      for (const strategy of (['fleet', 'watch', 'poll'] as const).filter((s) => args.strategies.includes(s))) {
        const reason = doesNotFit(strategy, n, args, baseline);
        if (reason !== undefined) {
          log(`bench: ${strategy} N=${n} skipped: ${reason}`);
          skipped.push({ strategy, n, reason });
          continue;
        }
        log(`bench: ${strategy} N=${n} …`);
        const raw = await runWorkload(cluster, {
          strategy,
          n,
          windowMs: args.windowMs,
          pollIntervalMs: args.pollIntervalMs,
          changeEveryMs: args.changeEveryMs,
          cooldownMs: args.cooldownMs,
          errorEvery: args.errorEvery,
          seed: args.seed,
          templateText,
          ...(args.kubectl === undefined ? {} : { kubectlBinary: args.kubectl }),
          log,
        });
        const left = await sweep(cluster, raw);
        if (left > 0) log(`bench: ${strategy} N=${n} left ${left} object(s); deleted`);
        raws.push(raw);
        const metrics = analyse(raw);
        runs.push(metrics);
        log(`bench: ${strategy} N=${n} done in ${metrics.wallS.toFixed(0)} s`);
      }
    }
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    cleanup = await cluster.close();
    log(`bench: cleanup: ${cleanup}`);
  }
  const uptimeAfter = uptimeText();
  for (const n of args.tasks) {
    for (const strategy of args.strategies) {
      const metrics = runs.find((r) => r.n === n && r.strategy === strategy);
      const skip = skipped.find((s) => s.n === n && s.strategy === strategy);
      if (metrics !== undefined) rows.push({ kind: 'run', metrics });
      else if (skip !== undefined) rows.push({ kind: 'skipped', skipped: skip });
    }
  }
  if (baseline === undefined) throw new Error('bench: no baseline');
  const checks = checkTargets({ runs, baseline, mode: cluster.mode, tasks: args.tasks, strategies: args.strategies });
  const summary = summaryLines(checks);
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Number((os.totalmem() / GiB).toFixed(1)),
    node: process.version,
    os: `${os.platform()} ${os.release()}`,
    commit: sourceCommit(),
    uptimeBefore,
    uptimeAfter,
  };
  const full = cluster.mode === 'sandbox' && FULL_NS.every((n) => args.tasks.includes(n)) && !args.quick && args.windowMs >= 60_000;
  const caption = `${started.toISOString().slice(0, 10)}, ${machine.cpus} cores, ${machine.memoryGiB} GiB, kubectl ${versions.client}, ${cluster.mode === 'sandbox' ? 'embedded sandbox' : 'cluster'}, window ${(args.windowMs / 1000).toFixed(0)} s`;
  const json = {
    started: started.toISOString(),
    finished: new Date().toISOString(),
    args,
    cluster: { mode: cluster.mode, description: cluster.description, cleanup },
    kubectl: versions,
    machine,
    baseline,
    runs,
    skipped,
    targets: checks,
    summary: summary[summary.length - 1],
    raw: raws.map((r) => ({
      strategy: r.strategy,
      n: r.n,
      phases: Object.fromEntries(Object.entries(r.phases).map(([k, v]) => [k, { wallMs: v.wallMs, failures: v.failures }])),
      window: r.window,
      memory: r.memory,
      skippedTicks: r.skippedTicks,
      processes: r.final.processes.length,
    })),
  };
  const markdown = [
    `# kubectl-task benchmark: ${full ? 'full run' : 'last run'}`,
    '',
    `Run ${started.toISOString()} with \`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` on ${cluster.description}.`,
    `Machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}; kubectl ${versions.client} (server ${versions.server}). Source: ${machine.commit}.`,
    `Load: before \`${uptimeBefore}\`; after \`${uptimeAfter}\` (the machine is shared with other jobs).`,
    `One \`kubectl get <task> -o jsonpath={.status.state}\`: ${baseline.getWallMs.toFixed(0)} ms wall, ${baseline.getCpuSeconds.toFixed(3)} CPU-s (median/mean of ${baseline.runs}); one \`kubectl get --watch\`: ${(baseline.watchRss / MiB).toFixed(0)} MiB RSS, ${(baseline.watchAnon / MiB).toFixed(0)} MiB of it private.`,
    `Workload per N: launch N, CONFIGURE → START, hold ${(args.windowMs / 1000).toFixed(0)} s while the task manager changes random tasks' status.state (each task about once per ${(args.changeEveryMs / 1000).toFixed(0)} s, never twice within ${(args.cooldownMs / 1000).toFixed(0)} s; one change in ${args.errorEvery} is \`error\`), put them back to running, STOP → RESET, kill all. Poll interval ${(args.pollIntervalMs / 1000).toFixed(0)} s.`,
    '',
    markdownTable(rows),
    '',
    '![cost against N](latest.svg)',
    '',
    '## Targets',
    '',
    '```',
    ...summary,
    '```',
    '',
    `Cleanup: ${cleanup}.`,
    '',
  ].join('\n');
  await mkdir(RESULTS, { recursive: true });
  const svg = renderSvg(runs, skipped, caption);
  await writeFile(path.join(RESULTS, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(path.join(RESULTS, 'latest.md'), markdown);
  await writeFile(path.join(RESULTS, 'latest.svg'), svg);
  if (full) {
    await writeFile(path.join(RESULTS, 'full-run.md'), markdown.replace('(latest.svg)', '(full-run.svg)'));
    await writeFile(path.join(RESULTS, 'full-run.svg'), svg);
    await writeFile(path.join(RESULTS, 'full-run.json'), `${JSON.stringify(json, null, 2)}\n`);
  }
  process.stdout.write(`\n${textTable(rows)}\n\n${summary.join('\n')}\n`);
  log(`bench: wrote bench/results/latest.{json,md,svg}${full ? ' and full-run.{json,md,svg}' : ''}`);
  const last = checks.filter((c) => c.applicable);
  if (last.some((c) => !c.passed)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 2;
});
