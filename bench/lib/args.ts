/** `npm run bench -- [--tasks 10,100,500,1000] [--strategies poll,watch,fleet] [--kubeconfig PATH] [--window 60s] [--quick] …` */
import { parseArgs } from 'node:util';
import { STRATEGIES, type StrategyName } from './protocol.ts';

export interface BenchArgs {
  readonly tasks: readonly number[];
  readonly strategies: readonly StrategyName[];
  readonly kubeconfig?: string;
  readonly context?: string;
  /** Use this existing namespace (emptied of the bench's objects afterwards) instead of creating one. */
  readonly namespace?: string;
  readonly kubectl?: string;
  readonly windowMs: number;
  readonly pollIntervalMs: number;
  /** Mean time between two injected status changes of one task. */
  readonly changeEveryMs: number;
  /** No task is changed again sooner than this (so a 5 s poll can see every change). */
  readonly cooldownMs: number;
  /** Every how many injected changes one is `error`. */
  readonly errorEvery: number;
  readonly seed: number;
  readonly quick: boolean;
  /** Run a strategy even where it does not fit the machine. */
  readonly force: boolean;
  readonly help: boolean;
}

export const USAGE = `usage: npm run bench -- [options]
  --tasks 10,100,500,1000       task counts N (default; --quick: 10,100)
  --strategies poll,watch,fleet strategies to compare (default all three)
  --window 60s                  hold window with injected status changes (default 60s; --quick: 15s)
  --kubeconfig PATH             run on that cluster instead of the embedded sandbox
  --context NAME                kubeconfig context (with --kubeconfig)
  --namespace NS                use this existing namespace instead of creating one (with --kubeconfig)
  --kubectl PATH                kubectl binary (default: kubectl on PATH, or $KUBECTL)
  --poll-interval 5s            the poll strategy's interval (the original's 5 s)
  --change-every 20s            mean time between two injected changes of one task
  --cooldown 6s                 minimum time between two injected changes of one task (poll interval + 1 s)
  --error-every 20              one injected change in that many is status.state=error
  --seed 1                      seed of the random choice of tasks and states
  --force                       run strategies even where they do not fit this machine
  --quick                       N=10,100 with a 15 s window (under 3 minutes)`;

/** `60s`, `1.5m`, `500ms`, or a bare number of seconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (match === null) throw new Error(`bench: ${flag} must be a duration such as 60s, 1m or 500ms, got "${text}"`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(unit === 'ms' ? value : unit === 's' ? value * 1000 : value * 60_000);
}

function parseList<T>(text: string, flag: string, item: (part: string) => T | undefined): T[] {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) throw new Error(`bench: ${flag} needs at least one value`);
  return parts.map((part) => {
    const value = item(part);
    if (value === undefined) throw new Error(`bench: ${flag}: "${part}" is not valid`);
    return value;
  });
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      tasks: { type: 'string' },
      strategies: { type: 'string' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      namespace: { type: 'string' },
      kubectl: { type: 'string' },
      window: { type: 'string' },
      'poll-interval': { type: 'string' },
      'change-every': { type: 'string' },
      cooldown: { type: 'string' },
      'error-every': { type: 'string' },
      seed: { type: 'string' },
      quick: { type: 'boolean' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const quick = values.quick === true;
  const tasks = parseList(values.tasks ?? (quick ? '10,100' : '10,100,500,1000'), '--tasks', (p) => {
    const n = Number(p);
    return Number.isInteger(n) && n >= 1 && n <= 5000 ? n : undefined;
  });
  const strategies = parseList(values.strategies ?? STRATEGIES.join(','), '--strategies', (p) => STRATEGIES.find((s) => s === p));
  const pollIntervalMs = parseDuration(values['poll-interval'] ?? '5s', '--poll-interval');
  const cooldownMs = parseDuration(values.cooldown ?? `${pollIntervalMs + 1000}ms`, '--cooldown');
  const errorEvery = Number(values['error-every'] ?? '20');
  const seed = Number(values.seed ?? '1');
  if (!Number.isInteger(errorEvery) || errorEvery < 2) throw new Error('bench: --error-every must be an integer >= 2');
  if (!Number.isInteger(seed)) throw new Error('bench: --seed must be an integer');
  if (values.namespace !== undefined && values.kubeconfig === undefined) throw new Error('bench: --namespace needs --kubeconfig (the sandbox has its own)');
  return {
    tasks: [...new Set(tasks)].sort((a, b) => a - b),
    strategies: STRATEGIES.filter((s) => strategies.includes(s)),
    ...(values.kubeconfig === undefined ? {} : { kubeconfig: values.kubeconfig }),
    ...(values.context === undefined ? {} : { context: values.context }),
    ...(values.namespace === undefined ? {} : { namespace: values.namespace }),
    ...((values.kubectl ?? process.env['KUBECTL']) ? { kubectl: values.kubectl ?? process.env['KUBECTL'] } : {}),
    windowMs: parseDuration(values.window ?? (quick ? '15s' : '60s'), '--window'),
    pollIntervalMs,
    changeEveryMs: parseDuration(values['change-every'] ?? '20s', '--change-every'),
    cooldownMs,
    errorEvery,
    seed,
    quick,
    force: values.force === true,
    help: values.help === true,
  };
}
