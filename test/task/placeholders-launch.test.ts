import { expect } from 'chai';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { KubectlTask } from '../../src/task/kubectl-task.ts';
import { getObject } from '../../src/kubectl/commands.ts';
import { main } from '../../src/cli/main.ts';
import { captureOut } from '../helpers/capture.ts';
import { repoRoot, startTaskCluster, type TaskCluster } from '../helpers/task-cluster.ts';

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'stfsender-test.yaml');

interface TaskDoc {
  spec: { pod: { containers: { command: string[]; env: { name: string; value: string }[] }[] } };
}
const container = (doc: unknown) => (doc as TaskDoc).spec.pod.containers[0];
/** The fixture's own container, as written: what the server must hold after the launch. */
const written = container(parseYaml(readFileSync(FIXTURE, 'utf8')));

describe("task: a filled manifest with the container shell's $VAR launches unchanged (sandbox + real kubectl)", function () {
  this.timeout(60_000);
  let cluster: TaskCluster;

  before(async () => {
    cluster = await startTaskCluster({ namespace: 'ph' });
  });
  after(async () => {
    await cluster?.close();
  });

  const taskRef = () => ({ apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', name: 'stfsender-test', namespace: cluster.namespace });

  it("library: KubectlTask with no variables at all; the server's Task has the $CONTROL_OCCPLUGIN_ROOT text", async () => {
    expect(written?.command[2]).to.contain('-S $CONTROL_OCCPLUGIN_ROOT/lib/');
    const task = new KubectlTask({
      id: 'stfsender-test',
      kubectl: cluster.kubectl,
      template: { file: FIXTURE },
      namespace: { explicit: cluster.namespace },
      transitionTimeoutMs: 20_000,
    });
    await task.launch();
    const live = container(await getObject(cluster.kubectl, taskRef()));
    expect(live?.command).to.deep.equal(written?.command);
    expect(live?.env).to.deep.equal(written?.env);
    expect(await task.kill()).to.equal('TASK_KILLED');
    expect(await getObject(cluster.kubectl, taskRef())).to.equal(undefined);
  });

  it('CLI: launch -f the fixture, then kill', async () => {
    const run = async (...argv: string[]) => {
      const out = captureOut();
      const code = await main(argv, { out, signal: new AbortController().signal });
      return { code, stdout: out.stdoutText(), stderr: out.stderrText() };
    };
    const conn = ['--kubeconfig', cluster.kubeconfig, '--context', 'admin', '-n', cluster.namespace];
    const launched = await run('launch', '-f', FIXTURE, ...conn);
    expect(launched.code, launched.stderr).to.equal(0);
    expect(container(await getObject(cluster.kubectl, taskRef()))?.command).to.deep.equal(written?.command);
    const killed = await run('kill', '-f', FIXTURE, ...conn);
    expect(killed.code, killed.stderr).to.equal(0);
  });
});
