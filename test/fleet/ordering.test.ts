/**
 * "A status observation never replaces a newer one", under load: with the task manager answering
 * at once (delay 0), a patch response (an older object) used to reach the task after the watch had
 * already delivered the new status, moving the task back and failing the next transition with a
 * spurious WrongState. Sizes default to what the suite affords on 2 cores; the full run is
 * ORDERING_TASKS=100 ORDERING_ROUNDS=5 ORDERING_KUBECTL_TASKS=100.
 */
import { expect } from 'chai';
import { TaskFleet } from '../../src/fleet/fleet.ts';
import type { FleetStatusUpdate } from '../../src/fleet/types.ts';
import { KubectlTask, type StatusUpdate } from '../../src/task/kubectl-task.ts';
import { FLEET_TEMPLATE, checkUpdates, recordingKubectl } from '../helpers/fleet.ts';
import { startTaskCluster, type TaskCluster } from '../helpers/task-cluster.ts';

const FLEET_TASKS = Number(process.env['ORDERING_TASKS'] ?? 100);
const ROUNDS = Number(process.env['ORDERING_ROUNDS'] ?? 5);
const KUBECTL_TASKS = Number(process.env['ORDERING_KUBECTL_TASKS'] ?? 25);
const KUBECTL_ROUNDS = Number(process.env['ORDERING_KUBECTL_ROUNDS'] ?? 2);
/** A loaded machine (100 resident kubectl watches on 2 cores) may need longer than the default 30 s. */
const TRANSITION_TIMEOUT_MS = Number(process.env['ORDERING_TRANSITION_TIMEOUT_MS'] ?? 30_000);
const CYCLE = ['CONFIGURE', 'START', 'STOP', 'RESET'] as const;

/** Runs each event for all tasks at once; returns the failures' messages. */
async function cycle(rounds: number, ids: readonly string[], transition: (id: string, event: string) => Promise<unknown>): Promise<string[]> {
  const failures: string[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const event of CYCLE) {
      const results = await Promise.allSettled(ids.map((id) => transition(id, event)));
      for (const r of results) if (r.status === 'rejected') failures.push(String((r.reason as Error).message));
    }
  }
  return failures;
}

describe('ordering under load: no spurious WrongState, pushed states in order', function () {
  this.timeout(600_000);
  let cluster: TaskCluster;

  beforeEach(async () => {
    cluster = await startTaskCluster({ namespace: 'order', delayMs: 0 });
  });
  afterEach(async () => {
    await cluster?.close();
  });

  it(`through the fleet: ${FLEET_TASKS} tasks, CONFIGURE/START/STOP/RESET for all, ${ROUNDS} rounds`, async () => {
    const { kubectl } = recordingKubectl(cluster);
    const fleet = new TaskFleet({ kubectl, namespace: 'order' });
    const updates: FleetStatusUpdate[] = [];
    fleet.onStatus((u) => updates.push(u));
    await fleet.start();
    const ids = Array.from({ length: FLEET_TASKS }, (_, i) => `o${i}`);
    await Promise.all(ids.map((id) => fleet.launch({ taskId: id, template: { text: FLEET_TEMPLATE }, env: { TASK_NAME: id } })));
    const failures = await cycle(ROUNDS, ids, (taskId, event) => fleet.transition({ taskId, event }));
    expect(failures).to.deep.equal([]);
    const expected = ['TASK_STARTING', 'standby', ...Array.from({ length: ROUNDS }, () => ['configured', 'running', 'configured', 'standby']).flat()];
    for (const id of ids) expect(checkUpdates(updates, id), id).to.deep.equal(expected);
    await fleet.close();
  });

  it(`through KubectlTask: ${KUBECTL_TASKS} tasks, each with its own watch, ${KUBECTL_ROUNDS} rounds`, async () => {
    const updates: StatusUpdate[] = [];
    const tasks = new Map(
      Array.from({ length: KUBECTL_TASKS }, (_, i) => `k${i}`).map((id) => [
        id,
        new KubectlTask({
          id,
          kubectl: cluster.kubectl,
          template: { text: FLEET_TEMPLATE },
          env: { TASK_NAME: id },
          baseEnv: {},
          transitionTimeoutMs: TRANSITION_TIMEOUT_MS,
          onStatus: (u) => updates.push(u),
        }),
      ]),
    );
    await Promise.all([...tasks.values()].map((t) => t.launch()));
    const ids = [...tasks.keys()];
    await Promise.all(
      ids.map((id) =>
        tasks
          .get(id)
          ?.transition('CONFIGURE')
          .then(() => tasks.get(id)?.transition('RESET')),
      ),
    );
    const failures = await cycle(KUBECTL_ROUNDS, ids, (id, event) => tasks.get(id)?.transition(event) ?? Promise.resolve());
    expect(failures).to.deep.equal([]);
    for (const id of ids) {
      const states = updates.filter((u) => u.taskId === id).map((u) => u.taskState ?? u.state);
      for (let i = 1; i < states.length; i++) expect(states[i], `${id}: ${states.join(' ')}`).to.not.equal(states[i - 1]);
    }
    await Promise.all([...tasks.values()].map((t) => t.kill()));
  });
});
