import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { main } from '../../src/cli/main.ts';
import { captureOut } from '../helpers/capture.ts';
import { startTaskCluster, type TaskCluster } from '../helpers/task-cluster.ts';

// Strings a YAML 1.2 printer leaves plain but kubectl (YAML 1.1) reads as booleans, octal
// integers or numbers: each must reach the cluster as the same string by both routes.
const TEMPLATE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: \${TASK_NAME}-config
  annotations:
    flag: "\${V}"
    mode: "0644"
data:
  flag: "\${V}"
  mode: "0644"
  time: "12:30"
  count: "1_000"
  "off": "off"
---
apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: \${TASK_NAME}
  annotations:
    enabled: "\${V}"
spec:
  state: standby
  control:
    mode: direct
    port: \${PORT:-47100}
  properties:
    flag: "\${V}"
    config-map: \${TASK_NAME}-config
`;

interface Picked {
  kind: string;
  labels: unknown;
  annotations: unknown;
  spec: unknown;
  data: unknown;
}

describe('cli: `render -o yaml | kubectl apply -f -` applies what launch applies (sandbox, real kubectl)', function () {
  this.timeout(60_000);
  let cluster: TaskCluster;
  let dir: string;
  let template: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    cluster = await startTaskCluster({ namespace: 'render-apply' });
    dir = await mkdtemp(path.join(os.tmpdir(), 'kubectl-task-render-apply-'));
    template = path.join(dir, 'task.yaml');
    await writeFile(template, TEMPLATE);
    env = { ...process.env, KUBECONFIG: cluster.kubeconfig, KUBECACHEDIR: path.join(dir, 'cache') };
  });
  after(async () => {
    await cluster?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out = captureOut();
    const code = await main(argv, { out, signal: new AbortController().signal });
    return { code, stdout: out.stdoutText(), stderr: out.stderrText() };
  }

  /** The objects of one task as the server stores them, with the task's name made neutral. */
  async function stored(name: string): Promise<Picked[]> {
    const got = await execa('kubectl', ['get', `configmap/${name}-config`, `task.v1alpha1.aliecs.alice.cern/${name}`, '-n', cluster.namespace, '-o', 'json'], {
      env,
    });
    const list = JSON.parse(got.stdout.split(name).join('NAME')) as {
      items: Array<{ kind: string; metadata: { labels?: unknown; annotations?: Record<string, string> }; spec?: unknown; data?: unknown }>;
    };
    return list.items.map((o) => {
      // kubectl apply records its input here; launch applies the same way, but the text holds the name.
      const { 'kubectl.kubernetes.io/last-applied-configuration': _lastApplied, ...annotations } = o.metadata.annotations ?? {};
      return { kind: o.kind, labels: o.metadata.labels, annotations, spec: o.spec, data: o.data };
    });
  }

  it('same labels, annotations, spec and data on the server; YAML 1.1 look-alikes stay strings', async () => {
    const vars = ['--env', 'V=yes', '-n', cluster.namespace];
    const rendered = await run('render', '-f', template, '--env', 'TASK_NAME=via-render', ...vars, '-o', 'yaml');
    expect(rendered.code, rendered.stderr).to.equal(0);
    const applied = await execa('kubectl', ['apply', '-f', '-'], { env, input: rendered.stdout, reject: false });
    expect(applied.exitCode, applied.stderr).to.equal(0);

    const launched = await run('launch', '-f', template, '--env', 'TASK_NAME=via-launch', ...vars, '--kubeconfig', cluster.kubeconfig, '--context', 'admin');
    expect(launched.code, launched.stderr).to.equal(0);

    const viaRender = await stored('via-render');
    const viaLaunch = await stored('via-launch');
    expect(viaRender).to.deep.equal(viaLaunch);
    const configMap = viaRender.find((o) => o.kind === 'ConfigMap');
    expect(configMap?.data).to.deep.equal({ flag: 'yes', mode: '0644', time: '12:30', count: '1_000', off: 'off' });
    expect(configMap?.annotations).to.deep.equal({ flag: 'yes', mode: '0644' });
    const task = viaRender.find((o) => o.kind === 'Task');
    expect(task?.annotations).to.deep.equal({ enabled: 'yes' });
    expect(task?.spec).to.deep.include({ properties: { flag: 'yes', 'config-map': 'NAME-config' } });

    for (const name of ['via-render', 'via-launch']) {
      const killed = await run('kill', '-f', template, '--env', `TASK_NAME=${name}`, ...vars, '--kubeconfig', cluster.kubeconfig, '--context', 'admin');
      expect(killed.code, killed.stderr).to.equal(0);
    }
  });
});
