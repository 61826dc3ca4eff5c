/**
 * The matrix's one long fault, connection refused for 30 s, on a sandbox of its own so it runs
 * while the other cases do: the first fault file to start calls startLongOutage(), and
 * outage.test.ts awaits its outcome and asserts it (run alone, it starts it itself).
 *
 * Each of KubectlTask (unreachableGraceMs 10 s, shorter than the outage), TaskFleet (its default
 * grace, 60 s, longer) and the bridge (serve --unreachable-grace 10s) follows two tasks: during the outage one Task is moved on
 * by someone else (spec and status `running`: a START the task manager followed), a transition
 * of the second and a kill of the third are asked for, which must fail with Unreachable;
 * afterwards the move must be reported once, the refused transition must work, and the kill
 * asked again must remove everything.
 */
import { KINDS, rejection, startDriver, startFaultCluster, waitFor, within, type Driver, type FaultCluster, type Update } from './harness.ts';
import type { JsonObject } from '../../src/json.ts';

export const OUTAGE_MS = 30_000;
/** KubectlTask's and the bridge's grace period (shorter than the outage); the fleet keeps its default, 60 s (longer). */
export const GRACE_MS = 10_000;
const NS = { task: 'fo-task', fleet: 'fo-fleet', bridge: 'fo-bridge' } as const;

export interface OutageOutcome {
  readonly outageMs: number;
  /** Per driver: the error of the transition asked for during the outage. */
  readonly refused: Record<string, { reason?: string; message: string }>;
  /** Per driver: when (ms after the outage began) the refused transition settled. */
  readonly refusedAfterMs: Record<string, number>;
  /** Per driver and task: the updates, once everything settled. */
  readonly updates: Record<string, Record<string, readonly Update[]>>;
  /** Per driver: the refused transition, asked again after the outage. */
  readonly retried: Record<string, string>;
  /** Per driver: the error of the kill asked for during the outage, and what the kill asked again answered. */
  readonly killRefused: Record<string, { state?: string; reason?: string; message: string }>;
  readonly killedAgain: Record<string, string>;
  /** Objects of the killed task left in the sandbox, for all three. */
  readonly leftOfO3: number;
}

let running: Promise<OutageOutcome> | undefined;

/** Starts the scenario once; later calls return the same outcome. */
export function startLongOutage(): Promise<OutageOutcome> {
  running ??= run();
  // Awaited by outage.test.ts; no unhandled rejection if a run of other files never gets there.
  running.catch(() => undefined);
  return running;
}

async function run(): Promise<OutageOutcome> {
  const cluster: FaultCluster = await startFaultCluster(Object.values(NS));
  const drivers: Driver[] = [];
  try {
    for (const kind of KINDS) drivers.push(await startDriver(kind, cluster, NS[kind], kind === 'fleet' ? {} : { unreachableGraceMs: GRACE_MS }));
    const each = <T>(fn: (d: Driver) => Promise<T>): Promise<T[]> => Promise.all(drivers.map(fn));
    await each(async (d) => {
      await within(30_000, `${d.kind} launch`, Promise.all([d.launch('o1'), d.launch('o2'), d.launch('o3')]));
      await within(30_000, `${d.kind} CONFIGURE o1`, d.transition('o1', 'CONFIGURE'));
    });
    const began = Date.now();
    const outage = cluster.test.sandbox.faults.refuseConnections(OUTAGE_MS);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const d of drivers) {
      cluster.editTask(d.namespace, 'o1', (t) => {
        (t['spec'] as JsonObject)['state'] = 'running';
        t['status'] = { state: 'running' };
      });
    }
    const refused: OutageOutcome['refused'] = {};
    const refusedAfterMs: OutageOutcome['refusedAfterMs'] = {};
    const killRefused: OutageOutcome['killRefused'] = {};
    await each(async (d) => {
      const [error, killed] = await Promise.all([
        rejection(d.transition('o2', 'CONFIGURE'), `${d.kind} CONFIGURE during the outage`, OUTAGE_MS + 30_000),
        // KubectlTask.kill() resolves with TASK_FAILED; the fleet and the bridge reject.
        within(OUTAGE_MS + 30_000, `${d.kind} kill during the outage`, d.kill('o3')).then(
          (state) => ({ state, message: '' }),
          (e: Error & { reason?: string }) => ({ ...(e.reason === undefined ? {} : { reason: e.reason }), message: e.message }),
        ),
      ]);
      refused[d.kind] = { ...(error.reason === undefined ? {} : { reason: error.reason }), message: error.message };
      refusedAfterMs[d.kind] = Date.now() - began;
      killRefused[d.kind] = killed;
    });
    await within(OUTAGE_MS + 10_000, 'the outage', outage);
    // The refused kill, asked again: it ends with the state the failed kill reported, and removes everything.
    const killedAgain: OutageOutcome['killedAgain'] = {};
    await each(async (d) => {
      killedAgain[d.kind] = await within(30_000, `${d.kind} kill o3 again`, d.kill('o3'));
    });
    const leftOfO3 = drivers
      .flatMap((d) => [cluster.task(d.namespace, 'o3'), cluster.test.sandbox.store.get('configmaps', d.namespace, 'o3-config')])
      .filter((o) => o !== undefined).length;
    await each((d) => waitFor(() => d.updates('o1').some((u) => u.taskState === 'running'), `${d.kind}: o1 running after the outage`, 60_000));
    // Those with a grace period shorter than the outage went TASK_UNREACHABLE: back to standby.
    await each((d) =>
      waitFor(() => d.kind === 'fleet' || d.updates('o2').at(-2)?.state === 'TASK_UNREACHABLE', `${d.kind}: o2 seen again after TASK_UNREACHABLE`, 60_000),
    );
    const retried: OutageOutcome['retried'] = {};
    await each(async (d) => {
      retried[d.kind] = await within(30_000, `${d.kind} CONFIGURE o2 after the outage`, d.transition('o2', 'CONFIGURE'));
    });
    const updates: OutageOutcome['updates'] = {};
    for (const d of drivers) updates[d.kind] = { o1: [...d.updates('o1')], o2: [...d.updates('o2')], o3: [...d.updates('o3')] };
    return { outageMs: OUTAGE_MS, refused, refusedAfterMs, updates, retried, killRefused, killedAgain, leftOfO3 };
  } catch (error) {
    // What each saw, for the failure message.
    const seen = drivers.map((d) => `${d.kind}: o1 ${JSON.stringify(d.updates('o1'))} o2 ${JSON.stringify(d.updates('o2'))}`).join('\n');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${seen}`, { cause: error });
  } finally {
    await Promise.all(drivers.map((d) => d.close().catch(() => undefined)));
    await cluster.close();
  }
}
