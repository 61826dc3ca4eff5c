/**
 * kubectl features beyond what the recordings hold, driven through the real kubectl: server-side
 * apply with conflicts, client-side apply updates of built-in kinds (strategic merge), protobuf
 * creates, forced deletes, explain.
 */
import { expect } from 'chai';
import { startTaskCluster, type TaskCluster } from '../helpers/task-cluster.ts';

const task = (state: string, extra = '') => `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata: {name: ssa}
spec:
  state: ${state}
${extra}`;
const configMap = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata:\n${data}`;

describe('sandbox: kubectl features (real kubectl)', function () {
  this.timeout(60_000);
  let cluster: TaskCluster;
  before(async () => {
    cluster = await startTaskCluster({ namespace: 'features' });
  });
  after(async () => {
    await cluster?.close();
  });
  const kubectl = (args: string[], stdin?: string) => cluster.kubectl.tryRun(args, stdin === undefined ? {} : { stdin });

  it('server-side apply: field ownership, a conflict for another manager, and --force-conflicts', async () => {
    expect((await kubectl(['apply', '--server-side', '-f', '-'], task('standby'))).stdout).to.equal('task.aliecs.alice.cern/ssa serverside-applied\n');
    expect((await kubectl(['apply', '--server-side', '-f', '-'], task('configured', '  properties: {a: b}\n'))).exitCode).to.equal(0);
    const conflict = await kubectl(['apply', '--server-side', '--field-manager=other', '-f', '-'], task('running'));
    expect(conflict.exitCode).to.equal(1);
    expect(conflict.stderr).to.contain('error: Apply failed with 1 conflict: conflict with "kubectl": .spec.state');
    expect((await kubectl(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], task('running'))).exitCode).to.equal(0);
    expect((await kubectl(['get', 'task.v1alpha1.aliecs.alice.cern/ssa', '-o', 'jsonpath={.spec}'])).stdout).to.equal(
      '{"properties":{"a":"b"},"state":"running"}',
    );
  });

  it('client-side apply updates a ConfigMap (strategic merge removes what the manifest dropped)', async () => {
    expect((await kubectl(['apply', '-f', '-'], configMap('  a: "1"\n  b: "2"\n'))).stdout).to.equal('configmap/cm created\n');
    expect((await kubectl(['apply', '-f', '-'], configMap('  a: "3"\n'))).stdout).to.equal('configmap/cm configured\n');
    expect((await kubectl(['get', 'configmap/cm', '-o', 'jsonpath={.data}'])).stdout).to.equal('{"a":"3"}');
    expect((await kubectl(['patch', 'configmap/cm', '-p', '{"data":{"c":"4"}}'])).stdout).to.equal('configmap/cm patched\n');
    expect((await kubectl(['get', 'configmap/cm', '-o', 'jsonpath={.data}'])).stdout).to.equal('{"a":"3","c":"4"}');
  });

  it('kubectl create (protobuf bodies), tables of built-in kinds and a forced delete', async () => {
    expect((await kubectl(['create', 'configmap', 'cm2', '--from-literal=x=y', '--from-literal=z=w'])).stdout).to.equal('configmap/cm2 created\n');
    expect((await kubectl(['create', 'secret', 'generic', 's1', '--from-literal=password=hunter2'])).exitCode).to.equal(0);
    const table = (await kubectl(['get', 'configmap/cm2', 'secret/s1'])).stdout;
    expect(table).to.match(/NAME\s+DATA\s+AGE\nconfigmap\/cm2\s+2\s+\d+s/);
    expect(table).to.match(/NAME\s+TYPE\s+DATA\s+AGE\nsecret\/s1\s+Opaque\s+1\s+\d+s/);
    const deleted = await kubectl(['delete', 'configmap/cm2', '--grace-period=0', '--force']);
    expect(deleted.stdout).to.equal('configmap "cm2" force deleted\n');
  });

  it('kubectl explain reads the CRD schema from OpenAPI v3', async () => {
    const explained = await kubectl(['explain', 'tasks.spec.state']);
    expect(explained.exitCode, explained.stderr).to.equal(0);
    expect(explained.stdout).to.match(/KIND:\s+Task/);
    expect(explained.stdout).to.match(/ENUM:\s+standby\s+deployed\s+configured\s+running/);
  });
});
