/**
 * The fault matrix of issue 14, each fault with its asserted outcome, for KubectlTask, TaskFleet
 * and the bridge (`serve` in a child process) at once, on one sandbox with the real kubectl.
 * Every wait has a deadline; every task's updates are checked for gaps, duplicates and anything
 * after a terminal state (harness.ts sequence()).
 */
import { expect } from 'chai';
import type { JsonObject } from '../../src/json.ts';
import { KubectlTask } from '../../src/task/kubectl-task.ts';
import { isTerminal } from '../../src/task/states.ts';
import {
  KINDS,
  driverKubectl,
  rejection,
  sequence,
  startDriver,
  startFaultCluster,
  waitFor,
  within,
  type Driver,
  type FaultCluster,
  type Update,
} from './harness.ts';
import { startLongOutage } from './outage.ts';

const NS = { task: 'fx-task', fleet: 'fx-fleet', bridge: 'fx-bridge' } as const;

describe('fault matrix: KubectlTask, TaskFleet and the bridge (sandbox + real kubectl)', function () {
  this.timeout(60_000);
  let cluster: FaultCluster;
  let drivers: Driver[];
  const faults = () => cluster.test.sandbox.faults;
  /** Runs `fn` for the three drivers at once. */
  const each = (fn: (d: Driver) => Promise<void>): Promise<unknown[]> => Promise.all(drivers.map(fn));
  const seq = (d: Driver, name: string): string[] => sequence(d.updates(name), `${d.kind}/${name}`);
  const launchAll = (name: string): Promise<unknown[]> =>
    each(async (d) => {
      expect(await within(30_000, `${d.kind} launch ${name}`, d.launch(name)), d.kind).to.equal('TASK_RUNNING');
    });
  const status = (d: Driver, name: string): string | undefined => {
    const s = cluster.task(d.namespace, name)?.['status'] as JsonObject | undefined;
    return s?.['state'] as string | undefined;
  };
  const spec = (d: Driver, name: string): string | undefined =>
    (cluster.task(d.namespace, name)?.['spec'] as JsonObject | undefined)?.['state'] as string | undefined;

  before(async function () {
    this.timeout(60_000);
    void startLongOutage(); // on its own sandbox, alongside these cases (asserted in outage.test.ts)
    cluster = await startFaultCluster(Object.values(NS));
    drivers = await Promise.all(KINDS.map((kind) => startDriver(kind, cluster, NS[kind])));
  });
  afterEach(() => faults().reset());
  after(async function () {
    this.timeout(60_000);
    await Promise.all((drivers ?? []).map((d) => d.close()));
    await cluster?.close();
  });

  it("429 with Retry-After: kubectl waits the server's Retry-After before each retry, and a storm longer than its own retries is retried by the runner", async () => {
    await launchAll('r429');
    for (const d of drivers)
      faults().failNext({ count: 2, status: 429, retryAfterSeconds: 1, method: 'PATCH', path: new RegExp(`/namespaces/${d.namespace}/tasks/r429$`) });
    await each(async (d) => {
      expect(await within(30_000, `${d.kind} CONFIGURE`, d.transition('r429', 'CONFIGURE'))).to.equal('configured');
    });
    for (const d of drivers) {
      const patches = cluster.requestsOf(d.namespace, 'r429', 'PATCH');
      expect(
        patches.map((p) => p.status ?? 200),
        d.kind,
      ).to.deep.equal([429, 429, 200]);
      const gaps = patches.slice(1).map((p, i) => p.at - (patches[i]?.at ?? 0));
      // At least the Retry-After (honoured); no upper bound, which a loaded machine would break.
      for (const gap of gaps) expect(gap, `${d.kind}: wait before a retry (Retry-After: 1)`).to.be.at.least(900);
    }
    // 13 in a row: kubectl gives up after its own 10 retries; the runner retries the call.
    for (const d of drivers)
      faults().failNext({ count: 13, status: 429, retryAfterSeconds: 0, method: 'PATCH', path: new RegExp(`/namespaces/${d.namespace}/tasks/r429$`) });
    await each(async (d) => {
      expect(await within(30_000, `${d.kind} START`, d.transition('r429', 'START'))).to.equal('running');
    });
    for (const d of drivers) {
      expect(
        cluster.requestsOf(d.namespace, 'r429', 'PATCH').filter((p) => p.status === 429),
        d.kind,
      ).to.have.length(15);
      expect(seq(d, 'r429'), d.kind).to.deep.equal(['TASK_STARTING', 'standby', 'configured', 'running']);
    }
  });

  it('500 and 503 bursts: retried and succeeded; a burst longer than the retries fails the request alone, with ServerError', async () => {
    for (const d of drivers) faults().failNext({ count: 2, status: 503, method: 'POST', path: new RegExp(`/namespaces/${d.namespace}/tasks$`) });
    await launchAll('burst');
    for (const d of drivers)
      expect(
        cluster.test.sandbox.faults.timeline.filter((e) => e.status === 503 && e.method === 'POST' && e.path.includes(`/${d.namespace}/`)),
        d.kind,
      ).to.have.length(2);
    for (const d of drivers) faults().failNext({ count: 3, status: 500, method: 'PATCH', path: new RegExp(`/namespaces/${d.namespace}/tasks/burst$`) });
    await each(async (d) => {
      expect(await within(30_000, `${d.kind} CONFIGURE`, d.transition('burst', 'CONFIGURE'))).to.equal('configured');
    });
    // 503s on every list and watch of the three namespaces, then every watch cut: they must come back.
    faults().failNext({ count: 9, status: 503, method: 'GET', path: /\/namespaces\/fx-[a-z]+\/tasks$/ });
    faults().closeWatches();
    await each(async (d) => {
      expect(await within(30_000, `${d.kind} START`, d.transition('burst', 'START'))).to.equal('running');
    });
    for (const d of drivers) faults().failNext({ count: 8, status: 503, method: 'PATCH', path: new RegExp(`/namespaces/${d.namespace}/tasks/burst$`) });
    await each(async (d) => {
      const error = await rejection(d.transition('burst', 'STOP'), `${d.kind} STOP`);
      expect(error.reason, `${d.kind}: ${error.message}`).to.equal('ServerError');
      expect(error.message, d.kind).to.match(/gave up after 5 attempts/);
    });
    faults().reset();
    await each(async (d) => {
      expect(spec(d, 'burst'), d.kind).to.equal('running');
      expect(await within(30_000, `${d.kind} STOP`, d.transition('burst', 'STOP'))).to.equal('configured');
      expect(seq(d, 'burst'), d.kind).to.deep.equal(['TASK_STARTING', 'standby', 'configured', 'running', 'configured']);
    });
  });

  it('5 s latency spikes: transitions and status changes arrive late, exactly once', async () => {
    await launchAll('slow');
    const started = Date.now();
    const spike = faults().latencySpike(5000, 1500, { path: /\/namespaces\/fx-[a-z]+\// });
    await each(async (d) => {
      expect(await within(40_000, `${d.kind} CONFIGURE`, d.transition('slow', 'CONFIGURE'))).to.equal('configured');
    });
    await spike;
    expect(Date.now() - started).to.be.at.least(5000);
    // A spike while only the watches work: the task manager's change still arrives once.
    const second = faults().latencySpike(5000, 1000, { path: /\/namespaces\/fx-[a-z]+\// });
    faults().closeWatches();
    await each(async (d) => {
      expect(await within(40_000, `${d.kind} START`, d.transition('slow', 'START'))).to.equal('running');
    });
    await second;
    for (const d of drivers) expect(seq(d, 'slow'), d.kind).to.deep.equal(['TASK_STARTING', 'standby', 'configured', 'running']);
  });

  it('watch closed every second: every transition reported exactly once', async () => {
    await launchAll('cut');
    let cuts = 0;
    const cutter = setInterval(() => {
      faults().closeWatches();
      cuts += 1;
    }, 1000);
    const watchesBefore = cluster.test.sandbox.requestLog.count({ verb: 'watch' });
    try {
      for (let round = 0; round < 3 || cuts < 4; round++) {
        for (const event of ['CONFIGURE', 'START', 'STOP', 'RESET']) {
          await each(async (d) => {
            await within(30_000, `${d.kind} ${event}`, d.transition('cut', event));
          });
        }
      }
    } finally {
      clearInterval(cutter);
    }
    const cycle = ['configured', 'running', 'configured', 'standby'];
    const rounds = (seq(drivers[0]!, 'cut').length - 2) / cycle.length;
    for (const d of drivers) expect(seq(d, 'cut'), d.kind).to.deep.equal(['TASK_STARTING', 'standby', ...Array.from({ length: rounds }, () => cycle).flat()]);
    expect(rounds).to.be.at.least(3);
    // Every cut restarted the watches of all three (one per KubectlTask, one informer each for the others).
    expect(cluster.test.sandbox.requestLog.count({ verb: 'watch' }) - watchesBefore).to.be.at.least(cuts * 2);
  });

  it('a Task deleted behind its back: TASK_LOST Deleted, once; kill then removes its companion', async () => {
    await launchAll('gone');
    await each(async (d) => {
      await cluster.admin.run(['delete', 'task', 'gone', '--wait=false'], { namespace: d.namespace });
    });
    await each(async (d) => {
      await waitFor(() => d.updates('gone').some((u) => u.state === 'TASK_LOST'), `${d.kind} TASK_LOST`);
    });
    await each(async (d) => {
      expect(await within(30_000, `${d.kind} kill`, d.kill('gone'))).to.equal('TASK_LOST');
      expect(cluster.test.sandbox.store.get('configmaps', d.namespace, 'gone-config'), d.kind).to.equal(undefined);
    });
    for (const d of drivers) {
      expect(seq(d, 'gone'), d.kind).to.deep.equal(['TASK_STARTING', 'standby', 'TASK_LOST']);
      expect(d.updates('gone').at(-1)?.reason, d.kind).to.equal('Deleted');
    }
  });

  it('a Task deleted while the watches restart, and the list after it killed every time: TASK_LOST all the same, once (fleet and bridge: their informer)', async () => {
    const informers = drivers.filter((d) => d.kind !== 'task');
    await Promise.all(informers.map((d) => within(30_000, `${d.kind} launch`, d.launch('gap'))));
    // Each informer's next `get --raw` list is killed 5 times in a row (all the runner's attempts).
    for (const d of informers) for (let i = 0; i < 5; i++) await cluster.killNext(`gap-${d.kind}-${i}`, ['--raw', `/namespaces/${d.namespace}/`], 0);
    faults().closeWatches();
    // Gone before the restarted watches list: only the failed list could have told.
    for (const d of informers) cluster.test.sandbox.store.delete('tasks', d.namespace, 'gap');
    await Promise.all(informers.map((d) => waitFor(() => d.updates('gap').some((u) => u.state === 'TASK_LOST'), `${d.kind} TASK_LOST`, 30_000)));
    expect(await cluster.killed()).to.include.members(informers.flatMap((d) => [0, 1, 2, 3, 4].map((i) => `gap-${d.kind}-${i}`)));
    for (const d of informers) {
      expect(seq(d, 'gap'), d.kind).to.deep.equal(['TASK_STARTING', 'standby', 'TASK_LOST']);
      expect(await within(30_000, `${d.kind} kill`, d.kill('gap'))).to.equal('TASK_LOST');
    }
  });

  it('status.state edited to an unknown value: reported as TASK_RUNNING UnknownState, transitions refused, the next known state reported', async () => {
    await launchAll('odd');
    // The fake task manager would put status.state back in line with spec.state at once: it is told to stay still.
    const stuck = (t: JsonObject, value: string): void => {
      const metadata = t['metadata'] as JsonObject;
      metadata['annotations'] = { ...(metadata['annotations'] as JsonObject), 'kubectl-task.io/fake-stuck': value };
    };
    for (const d of drivers)
      cluster.editTask(d.namespace, 'odd', (t) => {
        stuck(t, 'true');
        t['status'] = { state: 'Bogus-State' };
      });
    await each(async (d) => {
      await waitFor(() => d.updates('odd').some((u) => u.reason === 'UnknownState'), `${d.kind} UnknownState`);
      const error = await rejection(d.transition('odd', 'CONFIGURE'), `${d.kind} CONFIGURE from an unknown state`);
      expect(error.reason, `${d.kind}: ${error.message}`).to.equal('WrongState');
      expect(error.message).to.contain('Bogus-State');
    });
    for (const d of drivers)
      cluster.editTask(d.namespace, 'odd', (t) => {
        stuck(t, 'false');
        t['status'] = { state: 'standby' };
      });
    await each(async (d) => {
      await waitFor(() => seq(d, 'odd').length === 4, `${d.kind} standby again`);
      expect(await within(30_000, `${d.kind} CONFIGURE`, d.transition('odd', 'CONFIGURE'))).to.equal('configured');
    });
    for (const d of drivers) {
      expect(seq(d, 'odd'), d.kind).to.deep.equal(['TASK_STARTING', 'standby', 'RUNNING:UnknownState', 'standby', 'configured']);
      expect(d.updates('odd').find((u) => u.reason === 'UnknownState')?.message, d.kind).to.contain('"Bogus-State" is not a state kubectl-task knows');
    }
  });

  it('managed-by label removed: the fleet and the bridge report TASK_LOST Unmanaged; KubectlTask, which follows its Task by name, keeps it; kill removes it in both', async () => {
    await launchAll('unl');
    await each(async (d) => {
      await cluster.admin.run(['label', 'task', 'unl', 'app.kubernetes.io/managed-by-'], { namespace: d.namespace });
    });
    await each(async (d) => {
      if (d.kind === 'task') {
        expect(await within(30_000, 'task CONFIGURE', d.transition('unl', 'CONFIGURE'))).to.equal('configured');
        expect(await within(30_000, 'task kill', d.kill('unl'))).to.equal('TASK_KILLED');
        expect(seq(d, 'unl')).to.deep.equal(['TASK_STARTING', 'standby', 'configured', 'TASK_KILLED']);
      } else {
        await waitFor(() => d.updates('unl').some((u) => u.state === 'TASK_LOST'), `${d.kind} TASK_LOST`);
        expect(d.updates('unl').at(-1)?.reason).to.equal('Unmanaged');
        expect(await within(30_000, `${d.kind} kill`, d.kill('unl'))).to.equal('TASK_LOST');
        expect(seq(d, 'unl')).to.deep.equal(['TASK_STARTING', 'standby', 'TASK_LOST']);
      }
      expect(cluster.task(d.namespace, 'unl'), d.kind).to.equal(undefined);
      expect(cluster.test.sandbox.store.get('configmaps', d.namespace, 'unl-config'), d.kind).to.equal(undefined);
    });
  });

  it('409 on a transition: re-read, and retried against the fresh state; never re-sent blind when the fresh state forbids it', async () => {
    await launchAll('c1');
    await launchAll('c2');
    for (const d of drivers) {
      // A concurrent writer (an annotation) made the 409: the fresh Task still allows CONFIGURE.
      faults().failNext({
        count: 1,
        status: 409,
        method: 'PATCH',
        path: new RegExp(`/namespaces/${d.namespace}/tasks/c1$`),
        onInjected: () =>
          cluster.editTask(d.namespace, 'c1', (t) => {
            (t['metadata'] as JsonObject)['annotations'] = { ...((t['metadata'] as JsonObject)['annotations'] as JsonObject), other: 'writer' };
          }),
      });
      // Here the concurrent write is the task failing: the fresh Task no longer allows CONFIGURE.
      faults().failNext({
        count: 1,
        status: 409,
        method: 'PATCH',
        path: new RegExp(`/namespaces/${d.namespace}/tasks/c2$`),
        onInjected: () =>
          cluster.editTask(d.namespace, 'c2', (t) => {
            t['status'] = { state: 'error', error: 'failed meanwhile' };
          }),
      });
    }
    await each(async (d) => {
      expect(await within(30_000, `${d.kind} CONFIGURE c1`, d.transition('c1', 'CONFIGURE'))).to.equal('configured');
      const error = await rejection(d.transition('c2', 'CONFIGURE'), `${d.kind} CONFIGURE c2`);
      expect(error.reason, `${d.kind}: ${error.message}`).to.be.oneOf(['WrongState', 'TransitionFailed']);
    });
    for (const d of drivers) {
      expect(
        cluster.requestsOf(d.namespace, 'c1', 'PATCH').map((p) => p.status ?? 200),
        d.kind,
      ).to.deep.equal([409, 200]);
      expect(
        cluster.requestsOf(d.namespace, 'c2', 'PATCH').map((p) => p.status ?? 200),
        `${d.kind}: no blind second patch`,
      ).to.deep.equal([409]);
      expect(spec(d, 'c2'), d.kind).to.equal('standby');
      expect(seq(d, 'c1'), d.kind).to.deep.equal(['TASK_STARTING', 'standby', 'configured']);
      expect(seq(d, 'c2'), d.kind).to.deep.equal(['TASK_STARTING', 'standby', 'TASK_FAILED']);
    }
  });

  it('409 on the kill mark (KubectlTask): re-read, marked again, so a watcher in another process reports TASK_KILLED, not TASK_LOST', async () => {
    const d = drivers.find((x) => x.kind === 'task')!;
    await within(30_000, 'launch', d.launch('km'));
    const seen: Update[] = [];
    const observer = KubectlTask.byId({
      id: 'km',
      kubectl: driverKubectl(cluster, d.namespace),
      namespace: d.namespace,
      onStatus: (u) => seen.push({ state: u.state, taskState: u.taskState, reason: u.reason, message: u.message }),
    });
    await within(30_000, 'attach', observer.attach());
    faults().failNext({
      count: 1,
      status: 409,
      method: 'PATCH',
      path: new RegExp(`/namespaces/${d.namespace}/tasks/km$`),
      onInjected: () =>
        cluster.editTask(d.namespace, 'km', (t) => {
          (t['metadata'] as JsonObject)['annotations'] = { ...((t['metadata'] as JsonObject)['annotations'] as JsonObject), other: 'writer' };
        }),
    });
    expect(await within(30_000, 'kill', d.kill('km'))).to.equal('TASK_KILLED');
    await waitFor(() => seen.some((u) => isTerminal(u.state)), 'the observer ends');
    expect(cluster.requestsOf(d.namespace, 'km', 'PATCH').map((p) => p.status ?? 200)).to.deep.equal([409, 200]);
    expect(seen.at(-1)).to.deep.include({ state: 'TASK_KILLED', reason: 'Killed' });
    expect(sequence(seen, 'observer')).to.deep.equal(['standby', 'TASK_KILLED']);
  });

  it("kubectl killed with SIGKILL in the middle of a transition's patch: retried, and succeeded once", async () => {
    await launchAll('sig');
    for (const d of drivers) {
      // Held 1.5 s at the server, killed after 0.5 s: the request is in flight when kubectl dies.
      faults().addLatency(1500, { method: 'PATCH', path: new RegExp(`/namespaces/${d.namespace}/tasks/sig$`) });
      await cluster.killNext(`sig-${d.kind}`, ['patch', `-n ${d.namespace} `], 0.5);
    }
    await each(async (d) => {
      expect(await within(30_000, `${d.kind} CONFIGURE`, d.transition('sig', 'CONFIGURE'))).to.equal('configured');
    });
    expect(await cluster.killed()).to.include.members(drivers.map((d) => `sig-${d.kind}`));
    for (const d of drivers) {
      expect(status(d, 'sig'), d.kind).to.equal('configured');
      expect(seq(d, 'sig'), d.kind).to.deep.equal(['TASK_STARTING', 'standby', 'configured']);
    }
  });
});
