/**
 * The informer's restart decisions, with a scripted kubectl (injected spawners): no process, no
 * server, no real timers.
 */
import { expect } from 'chai';
import { Kubectl, type SpawnFn, type StreamSpawnFn } from '../../src/kubectl/runner.ts';
import { Informer, type InformerEvent } from '../../src/watch/informer.ts';

const REFUSED = 'The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?';
const task = {
  apiVersion: 'aliecs.alice.cern/v1alpha1',
  kind: 'Task',
  metadata: { name: 't1', namespace: 'ns', resourceVersion: '5' },
  status: { state: 'running' },
};
const list = JSON.stringify({ kind: 'TaskList', apiVersion: 'aliecs.alice.cern/v1alpha1', metadata: { resourceVersion: '5' }, items: [task] });

/** Per round: does the raw list answer, and does the watch fail at once or stream until stopped? */
function scripted(rounds: { list: boolean; watch: 'fails' | 'streams' }[]): { spawn: SpawnFn; streamSpawn: StreamSpawnFn } {
  let lists = 0;
  let watches = 0;
  const result = (argv: readonly string[], exitCode: number, stdout: string, stderr: string) => ({
    argv: [...argv],
    exitCode,
    stdout,
    stderr,
    durationMs: 1,
    timedOut: false,
  });
  const spawn: SpawnFn = async (file, args) => {
    const round = rounds[Math.min(lists++, rounds.length - 1)]!;
    return round.list ? result([file, ...args], 0, list, '') : result([file, ...args], 1, '', REFUSED);
  };
  const streamSpawn: StreamSpawnFn = (file, args) => {
    const round = rounds[Math.min(watches++, rounds.length - 1)]!;
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const done = (async () => {
      await Promise.resolve();
      if (round.watch === 'streams') await stopped;
      return round.watch === 'streams' ? result([file, ...args], 0, '', '') : result([file, ...args], 1, '', REFUSED);
    })();
    return { done, stop };
  };
  return { spawn, streamSpawn };
}

describe('watch/informer (scripted kubectl)', () => {
  it('after an outage, retries at once when the list answers again though the watch started too early failed; the backoff still grows while lists fail', async () => {
    const { spawn, streamSpawn } = scripted([
      { list: true, watch: 'fails' }, // the first sync; then the server goes away
      { list: false, watch: 'fails' },
      { list: false, watch: 'fails' },
      { list: false, watch: 'fails' },
      { list: true, watch: 'fails' }, // the server is back; this round's watch started before it was
      { list: true, watch: 'streams' },
    ]);
    const sleeps: number[] = [];
    const events: InformerEvent['type'][] = [];
    const informer: Informer = new Informer({
      kubectl: new Kubectl({ spawn, streamSpawn, retry: false }),
      resource: 'tasks.v1alpha1.aliecs.alice.cern',
      apiPath: { groupVersion: '/apis/aliecs.alice.cern/v1alpha1', plural: 'tasks' },
      namespace: 'ns',
      labelSelector: 'app.kubernetes.io/managed-by=kubectl-task',
      backoff: { initialMs: 100, maxMs: 10_000 },
      sleep: async (ms) => void sleeps.push(ms),
    });
    informer.on((e) => {
      events.push(e.type);
      if (e.type === 'synced' && events.filter((t) => t === 'synced').length === 3) void informer.stop();
    });
    await informer.start();
    while (events.filter((t) => t === 'synced').length < 3) await new Promise((resolve) => setImmediate(resolve));
    await informer.stop();
    expect(sleeps).to.have.length(5);
    const [first, second, third, fourth, afterRecovery] = sleeps as [number, number, number, number, number];
    expect(second).to.be.greaterThan(first);
    expect(fourth).to.be.greaterThan(third);
    // Without the reset it would be the fifth step of the backoff (~1.6 s here, ~10 s with the
    // defaults): longer than a short unreachable grace period, hence a second TASK_UNREACHABLE.
    expect(afterRecovery).to.be.at.most(100);
    expect(informer.isHealthy).to.equal(true);
  });
});
