import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getObject } from '../../src/kubectl/commands.ts';
import { Kubectl } from '../../src/kubectl/runner.ts';
import { execaSpawn, execaStreamSpawn, type SpawnFn, type StreamSpawnFn } from '../../src/kubectl/spawn.ts';
import { KubectlTask } from '../../src/task/kubectl-task.ts';
import { startTaskCluster, type TaskCluster } from '../helpers/task-cluster.ts';

const TEMPLATE = `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: \${TASK_NAME}
spec:
  state: standby
  control:
    mode: direct
    port: 47100
`;

describe('kubectl: CONFIGURE arguments never reach argv (sandbox, real kubectl)', function () {
  this.timeout(60_000);
  let cluster: TaskCluster;
  let cache: string;

  before(async () => {
    cluster = await startTaskCluster({ namespace: 'argv-secret' });
    cache = await mkdtemp(join(tmpdir(), 'kubectl-task-argv-cache-'));
  });
  after(async () => {
    await cluster?.close();
    await rm(cache, { recursive: true, force: true });
  });

  it('a token-like CONFIGURE argument lands in spec.arguments and in no argv the runner spawned', async () => {
    const token = `tok-${randomBytes(12).toString('hex')}`;
    const spawned: string[][] = [];
    // The real starters, recorded: what `ps` would have shown for every kubectl process.
    const spawn: SpawnFn = (file, args, options) => {
      spawned.push([file, ...args]);
      return execaSpawn(file, args, options);
    };
    const streamSpawn: StreamSpawnFn = (file, args, options) => {
      spawned.push([file, ...args]);
      return execaStreamSpawn(file, args, options);
    };
    const kubectl = new Kubectl({
      kubeconfig: cluster.kubeconfig,
      context: 'admin',
      namespace: cluster.namespace,
      env: { ...process.env, KUBECACHEDIR: cache },
      spawn,
      streamSpawn,
    });
    const task = new KubectlTask({
      id: 'secret-argv',
      kubectl,
      template: { text: TEMPLATE },
      env: { TASK_NAME: 's1' },
      baseEnv: {},
      transitionTimeoutMs: 20_000,
    });
    try {
      await task.launch();
      await task.transition('CONFIGURE', { token, environment_id: 'E1' });
      const stored = await getObject(cluster.kubectl, { apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', name: 's1', namespace: cluster.namespace });
      expect(stored?.['spec']).to.deep.include({ state: 'configured', arguments: { token, environment_id: 'E1' } });
    } finally {
      await task.kill();
    }
    expect(spawned.some((argv) => argv.includes('patch') && argv.some((a) => a.startsWith('--patch-file=')))).to.equal(true);
    const leaking = spawned.filter((argv) => argv.some((a) => a.includes(token)));
    expect(leaking, JSON.stringify(leaking)).to.deep.equal([]);
  });
});
