/**
 * One benchmark run of one strategy: started by bench/run.ts with an IPC channel, it runs each
 * phase it is asked for (launch, transitions, kill) over the tasks it is given, records every
 * status update and every kubectl process it starts, and answers with what it measured. It ends
 * when asked, or when the orchestrator is gone (the IPC channel closes).
 */
import { Kubectl } from '../src/kubectl/runner.ts';
import { execaSpawn, execaStreamSpawn, type SpawnFn, type StreamSpawnFn } from '../src/kubectl/spawn.ts';
import { messageOf, reasonOf } from '../src/errors.ts';
import {
  epochMs,
  isWorkerRequest,
  type PhaseResult,
  type ProcessRecord,
  type RecordedUpdate,
  type TaskFailure,
  type WorkerAnswer,
  type WorkerConfig,
  type WorkerRequest,
} from './lib/protocol.ts';
import { readCpu } from './lib/procfs.ts';
import { createStrategy, type Strategy } from './lib/strategies.ts';

const updates: RecordedUpdate[] = [];
const processes: { start: number; end?: number; stream: boolean }[] = [];
const marks: Record<string, number> = {};
/** Each task's last reported task state (or executor state when it has none), for 'await'. */
const lastState = new Map<string, string>();
const stateListeners = new Set<() => void>();
let strategy: Strategy | undefined;

function send(answer: WorkerAnswer, then?: () => void): void {
  process.send?.(answer, undefined, {}, () => then?.());
}

const countingSpawn: SpawnFn = async (file, args, options) => {
  const record: { start: number; end?: number; stream: boolean } = { start: epochMs(), stream: false };
  processes.push(record);
  try {
    return await execaSpawn(file, args, options);
  } finally {
    record.end = epochMs();
  }
};

const countingStreamSpawn: StreamSpawnFn = (file, args, options) => {
  const record: { start: number; end?: number; stream: boolean } = { start: epochMs(), stream: true };
  processes.push(record);
  const handle = execaStreamSpawn(file, args, options);
  void handle.done.finally(() => {
    record.end = epochMs();
  });
  return handle;
};

function init(config: WorkerConfig): Strategy {
  const kubectl = new Kubectl({
    kubeconfig: config.kubeconfig,
    namespace: config.namespace,
    ...(config.context === undefined ? {} : { context: config.context }),
    ...(config.kubectlBinary === undefined ? {} : { binary: config.kubectlBinary }),
    // Generous: at N=500 the per-task strategies start hundreds of kubectl at once on 2 cores.
    timeoutMs: 300_000,
    spawn: countingSpawn,
    streamSpawn: countingStreamSpawn,
  });
  return createStrategy(config.strategy, {
    kubectl,
    namespace: config.namespace,
    templateText: config.templateText,
    pollIntervalMs: config.pollIntervalMs,
    executorId: config.executorId,
    transitionTimeoutMs: config.transitionTimeoutMs,
    onStatus: (u) => {
      updates.push({ ...u, at: epochMs() });
      lastState.set(u.taskId, u.taskState ?? u.state);
      for (const listener of [...stateListeners]) listener();
    },
  });
}

async function phase(ids: readonly string[], call: (id: string) => Promise<unknown>, doneAt?: (id: string, returned: number) => number): Promise<PhaseResult> {
  const startedAt = epochMs();
  const failures: TaskFailure[] = [];
  const perTaskMs: number[] = [];
  await Promise.all(
    ids.map(async (id) => {
      try {
        await call(id);
        const returned = epochMs();
        perTaskMs.push((doneAt === undefined ? returned : doneAt(id, returned)) - startedAt);
      } catch (error) {
        failures.push({ taskId: id, reason: reasonOf(error), message: messageOf(error).slice(0, 300) });
      }
    }),
  );
  return { startedAt, wallMs: epochMs() - startedAt, perTaskMs, failures };
}

/** When the task first reported TASK_RUNNING (launch() of the watch strategy resolves a little after). */
function firstRunning(id: string, fallback: number): number {
  return updates.find((u) => u.taskId === id && u.state === 'TASK_RUNNING')?.at ?? fallback;
}

function awaitStates(expect: readonly (readonly [string, string])[], timeoutMs: number): Promise<string[]> {
  const missing = (): string[] => expect.filter(([id, state]) => lastState.get(id) !== state).map(([id]) => id);
  return new Promise((resolve) => {
    const check = (): void => {
      if (missing().length > 0) return;
      finish();
    };
    const finish = (): void => {
      clearTimeout(timer);
      stateListeners.delete(check);
      resolve(missing());
    };
    const timer = setTimeout(finish, timeoutMs);
    stateListeners.add(check);
    check();
  });
}

async function handle(request: WorkerRequest): Promise<WorkerAnswer> {
  if (request.type === 'init') {
    strategy = init(request.config);
    await strategy.start();
    return { type: 'ready' };
  }
  const s = strategy;
  if (s === undefined) return { type: 'error', message: `worker: ${request.type} before init` };
  switch (request.type) {
    case 'launch':
      return { type: 'phase', result: await phase(request.ids, (id) => s.launch(id), firstRunning) };
    case 'transition':
      return { type: 'phase', result: await phase(request.ids, (id) => s.transition(id, request.event)) };
    case 'kill':
      return { type: 'phase', result: await phase(request.ids, (id) => s.kill(id)) };
    case 'await':
      return { type: 'awaited', missing: await awaitStates(request.expect, request.timeoutMs) };
    case 'mark': {
      // Before the hold window: collect what launching left behind now (--expose-gc), rather than
      // in the window (V8 does it some seconds after a busy process goes quiet), so that the
      // window measures the steady cost of monitoring.
      if (request.label === 'settle' && gc !== undefined) {
        gc();
        gc();
      }
      const at = epochMs();
      const cpu = process.cpuUsage();
      marks[request.label] = at;
      return { type: 'marked', at, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
    }
    case 'finish': {
      await s.close();
      const usage = process.resourceUsage();
      const finalProcesses: ProcessRecord[] = processes.map((p) => ({ start: p.start, stream: p.stream, ...(p.end === undefined ? {} : { end: p.end }) }));
      return {
        type: 'final',
        result: {
          updates,
          processes: finalProcesses,
          marks,
          userCpuMicros: usage.userCPUTime,
          systemCpuMicros: usage.systemCPUTime,
          maxRssKiB: usage.maxRSS,
          reapedChildrenCpuSeconds: readCpu(process.pid)?.reapedChildrenSeconds ?? 0,
          ...(s.informerRestarts === undefined ? {} : { informerRestarts: s.informerRestarts }),
        },
      };
    }
  }
}

process.on('message', (message: unknown) => {
  if (!isWorkerRequest(message)) return;
  handle(message).then(
    (answer) => {
      // The final answer can be megabytes: let it reach the orchestrator before hanging up.
      send(answer, answer.type === 'final' ? () => process.disconnect() : undefined);
    },
    (error: unknown) => send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
// The orchestrator is gone (or done with us): nothing more to do; kubectl children end with us.
process.on('disconnect', () => {
  setTimeout(() => process.exit(0), 100).unref();
  void strategy?.close().finally(() => process.exit(0));
});
