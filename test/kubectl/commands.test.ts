import { parseAllDocuments } from 'yaml';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { apply, deleteObjects, exists, getJsonpath, getObject, getObjects, patchJson, patchMerge, resourceArg } from '../../src/kubectl/commands.ts';
import { KubectlError } from '../../src/kubectl/errors.ts';
import { Kubectl } from '../../src/kubectl/runner.ts';
import type { SpawnFn } from '../../src/kubectl/runner.ts';
import type { ObjectRef } from '../../src/kubectl/types.ts';
import { manualClock } from '../helpers/clock.ts';
import { describeWithReference, referenceFile } from '../helpers/reference.ts';

const GARBAGE = fileURLToPath(new URL('../fixtures/fake-kubectl/kubectl-garbage', import.meta.url));

interface RecordedStep {
  stdout: string;
  stderr: string;
  exitCode: number;
}
/** A step of a recording of real kubectl (helpers/reference.ts), read when a test runs. */
function recordedStep(file: string, index: number): RecordedStep {
  const path = referenceFile(file);
  const scenario = JSON.parse(readFileSync(path, 'utf8')) as { steps: RecordedStep[] };
  const step = scenario.steps[index];
  if (step === undefined) throw new Error(`${path} has no step ${index}`);
  return step;
}

const T1: ObjectRef = { apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', name: 't1', namespace: 'rec' };
const CM: ObjectRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'cfg', namespace: 'rec' };

/**
 * Answers every call with `reply(args)` and records the argv after the binary; a --patch-file is
 * read during the call (it is removed afterwards) and shows as `--patch-file=<file>` in `calls`.
 */
function fakeKubectl(reply: (args: readonly string[]) => { exitCode: number; stdout?: string; stderr?: string }): {
  k: Kubectl;
  calls: Array<readonly string[]>;
  stdins: Array<string | undefined>;
  patches: string[];
} {
  const calls: Array<readonly string[]> = [];
  const stdins: Array<string | undefined> = [];
  const patches: string[] = [];
  const spawn: SpawnFn = async (file, args, options) => {
    calls.push(
      args.map((arg) => {
        if (!arg.startsWith('--patch-file=')) return arg;
        patches.push(readFileSync(arg.slice('--patch-file='.length), 'utf8'));
        return '--patch-file=<file>';
      }),
    );
    stdins.push(options.input);
    const r = reply(args);
    return { argv: [file, ...args], exitCode: r.exitCode, stdout: r.stdout ?? '', stderr: r.stderr ?? '', durationMs: 1, timedOut: false };
  };
  return { k: new Kubectl({ spawn, namespace: 'default', sleep: async () => {} }), calls, stdins, patches };
}

describe('kubectl/commands', () => {
  it('resourceArg qualifies group and version; core objects stay short', () => {
    expect(resourceArg(T1)).to.equal('task.v1alpha1.aliecs.alice.cern/t1');
    expect(resourceArg(CM)).to.equal('configmap/cfg');
    expect(resourceArg({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', name: 'r' })).to.equal('role.v1.rbac.authorization.k8s.io/r');
    expect(() => resourceArg({ apiVersion: 'v1', kind: 'ConfigMap', name: '' })).to.throw(TypeError);
  });

  it('getJsonpath returns stdout untouched', async () => {
    const { k, calls } = fakeKubectl(() => ({ exitCode: 0, stdout: 'standby' }));
    expect(await getJsonpath(k, T1, '{.spec.state}')).to.equal('standby');
    expect(calls[0]).to.deep.equal(['-n', 'rec', 'get', 'task.v1alpha1.aliecs.alice.cern/t1', '-o', 'jsonpath={.spec.state}']);
  });

  it('deleteObjects: one call per namespace naming exactly the objects', async () => {
    const { k, calls } = fakeKubectl(() => ({ exitCode: 0 }));
    await deleteObjects(k, [T1, CM, { ...T1, name: 't2', namespace: 'other' }], { timeoutMs: 20_000 });
    await deleteObjects(k, [T1], { ignoreNotFound: false, wait: false });
    expect(calls).to.deep.equal([
      ['-n', 'rec', 'delete', 'task.v1alpha1.aliecs.alice.cern/t1', 'configmap/cfg', '--ignore-not-found', '--wait=true', '--timeout=20s'],
      ['-n', 'other', 'delete', 'task.v1alpha1.aliecs.alice.cern/t2', '--ignore-not-found', '--wait=true', '--timeout=20s'],
      ['-n', 'rec', 'delete', 'task.v1alpha1.aliecs.alice.cern/t1', '--wait=false'],
    ]);
  });

  it('deleteObjects --wait: a Timeout is not retried and names the object kubectl waited for', async () => {
    const { k, calls } = fakeKubectl(() => ({ exitCode: 1, stderr: 'error: timed out waiting for the condition on tasks/t1\n' }));
    const error = (await deleteObjects(k, [CM, T1], { wait: true, timeoutMs: 2_000 }).catch((e: unknown) => e)) as KubectlError;
    expect(error.reason).to.equal('Timeout');
    expect(error.attempts).to.equal(1);
    expect(error.message).to.equal('kubectl delete tasks/t1: Timeout: timed out waiting for the condition on tasks/t1');
    expect(calls).to.deep.equal([
      ['-n', 'rec', 'delete', 'configmap/cfg', 'task.v1alpha1.aliecs.alice.cern/t1', '--ignore-not-found', '--wait=true', '--timeout=2s'],
    ]);
  });

  it('deleteObjects: a 503 is retried, but only while the timeout leaves room; process timeout = timeout + margin at most', async () => {
    const clock = manualClock();
    const timeouts: number[] = [];
    const spawn: SpawnFn = async (file, args, options) => {
      timeouts.push(options.timeoutMs);
      clock.advance(Math.min(5_000, options.timeoutMs)); // a process that hits its timeout is killed
      return {
        argv: [file, ...args],
        exitCode: 1,
        stdout: '',
        stderr: 'Error from server (ServiceUnavailable): the server is currently unable to handle the request\n',
        durationMs: 5_000,
        timedOut: false,
      };
    };
    const k = new Kubectl({ spawn, clock, sleep: clock.sleep });
    const error = (await deleteObjects(k, [T1], { timeoutMs: 2_000 }).catch((e: unknown) => e)) as KubectlError;
    expect(error.reason).to.equal('ServerError');
    // deadline 12 s (2 s + 10 s margin): tries at 0, 5.2 s and 10.6 s (1.4 s left); none after 12 s
    expect(timeouts).to.deep.equal([12_000, 6_800, 1_400]);
    expect(clock.time).to.equal(12_000);
    expect(error.message).to.match(/no time left before the caller's deadline\)$/);
  });

  it('exists: true for a name, false for empty output', async () => {
    const yes = fakeKubectl(() => ({ exitCode: 0, stdout: 'task.aliecs.alice.cern/t1\n' }));
    expect(await exists(yes.k, T1)).to.equal(true);
    expect(yes.calls[0]).to.deep.equal(['-n', 'rec', 'get', 'task.v1alpha1.aliecs.alice.cern/t1', '-o', 'name', '--ignore-not-found']);
    const no = fakeKubectl(() => ({ exitCode: 0, stdout: '' }));
    expect(await exists(no.k, T1)).to.equal(false);
  });

  it('garbage where JSON was expected (real fake binary) → Unknown naming the command', async () => {
    const k = new Kubectl({ binary: GARBAGE });
    for (const call of [() => getObject(k, T1), () => patchMerge(k, T1, { spec: { state: 'running' } }), () => apply(k, 'x')]) {
      const error = (await call().catch((e: unknown) => e)) as KubectlError;
      expect(error).to.be.instanceOf(KubectlError);
      expect(error.reason).to.equal('Unknown');
      expect(error.message).to.match(/^kubectl (get|patch|apply)\b.*: Unknown: expected .*JSON.* on stdout, got "this is not json \{"$/);
    }
  });

  // These feed the commands kubectl's own recorded output, which lives outside the repository.
  describeWithReference('kubectl/commands on recorded kubectl output', () => {
    it('apply sends the manifest on stdin and returns refs from a List or a single object', async () => {
      const task = JSON.parse(recordedStep('08-get-json-yaml-name.json', 0).stdout) as unknown;
      const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'readout-config', namespace: 'rec' }, data: {} };
      const { k, calls, stdins } = fakeKubectl(() => ({ exitCode: 0, stdout: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [task, cm] }) }));
      const refs = await apply(k, 'kind: Task\n---\nkind: ConfigMap\n', { fieldManager: 'kubectl-task', serverSide: true });
      expect(refs).to.deep.equal([
        { apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', name: 't1', namespace: 'rec' },
        { apiVersion: 'v1', kind: 'ConfigMap', name: 'readout-config', namespace: 'rec' },
      ]);
      expect(calls[0]).to.deep.equal(['-n', 'default', 'apply', '-f', '-', '-o', 'json', '--server-side', '--field-manager=kubectl-task']);
      expect(stdins[0]).to.equal('kind: Task\n---\nkind: ConfigMap\n');

      const single = fakeKubectl(() => ({ exitCode: 0, stdout: JSON.stringify(task) }));
      expect(await apply(single.k, 'x', { dryRun: 'server', namespace: null })).to.deep.equal([T1]);
      expect(single.calls[0]).to.deep.equal(['apply', '-f', '-', '-o', 'json', '--dry-run=server']);
    });

    it('apply rejects with the recorded Invalid error after one attempt', async () => {
      const { k, calls } = fakeKubectl(() => recordedStep('16-apply-invalid.json', 0));
      const error = (await apply(k, 'x').catch((e: unknown) => e)) as KubectlError;
      expect(error.reason).to.equal('Invalid');
      expect(error.message).to.contain('spec.state: Unsupported value: "bogus"');
      expect(calls).to.have.length(1);
    });

    it('getObject: the object with -n of its ref; undefined on the recorded NotFound', async () => {
      const found = fakeKubectl(() => recordedStep('08-get-json-yaml-name.json', 0));
      const object = await getObject(found.k, T1);
      expect(object?.metadata.name).to.equal('t1');
      expect(found.calls[0]).to.deep.equal(['-n', 'rec', 'get', 'task.v1alpha1.aliecs.alice.cern/t1', '-o', 'json']);
      const missing = fakeKubectl(() => recordedStep('09-get-notfound.json', 0));
      expect(await getObject(missing.k, { ...T1, name: 'nope' })).to.equal(undefined);
      const forbidden = fakeKubectl(() => recordedStep('19-forbidden.json', 1));
      expect(((await getObject(forbidden.k, T1).catch((e: unknown) => e)) as KubectlError).reason).to.equal('Forbidden');
    });

    it('getObjects: one get -f - per namespace with --ignore-not-found, the references on stdin; List, single object and empty output', async () => {
      const task = JSON.parse(recordedStep('08-get-json-yaml-name.json', 0).stdout) as unknown;
      const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'rec' }, data: {} };
      const { k, calls, stdins } = fakeKubectl((args) => {
        if (args[1] === 'rec') return { exitCode: 0, stdout: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [task, cm] }) };
        if (args[1] === 'one') return { exitCode: 0, stdout: JSON.stringify(cm) };
        return { exitCode: 0, stdout: '' };
      });
      const objects = await getObjects(k, [T1, { ...T1, name: 't2', namespace: 'other' }, CM, { ...CM, namespace: 'one' }]);
      expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).to.deep.equal(['Task/t1', 'ConfigMap/cfg', 'ConfigMap/cfg']);
      const get = (namespace: string): string[] => ['-n', namespace, 'get', '-f', '-', '-o', 'json', '--ignore-not-found'];
      expect(calls).to.deep.equal([get('rec'), get('other'), get('one')]);
      // Names on the command line would share one client-go rate limiter (5 requests/s): -f - does not.
      expect(stdins.map((text) => parseAllDocuments(text ?? '').map((d) => d.toJS() as unknown))).to.deep.equal([
        [
          { apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', metadata: { name: 't1', namespace: 'rec' } },
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'rec' } },
        ],
        [{ apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', metadata: { name: 't2', namespace: 'other' } }],
        [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'one' } }],
      ]);
      expect(await getObjects(k, [])).to.deep.equal([]);
      const forbidden = fakeKubectl(() => recordedStep('19-forbidden.json', 1));
      expect(((await getObjects(forbidden.k, [T1]).catch((e: unknown) => e)) as KubectlError).reason).to.equal('Forbidden');
    });

    it('patchJson / patchMerge build the recorded argv shapes (+ -o json) and parse the object', async () => {
      const object = recordedStep('08-get-json-yaml-name.json', 0).stdout;
      const { k, calls, patches } = fakeKubectl(() => ({ exitCode: 0, stdout: object }));
      const patched = await patchJson(k, T1, [{ op: 'add', path: '/spec/state', value: 'configured' }]);
      expect(patched.kind).to.equal('Task');
      await patchMerge(k, T1, { status: { state: 'CONFIGURED' } }, { subresource: 'status' });
      // The body is in a file, not argv (commands.ts: argv is visible to every user through ps).
      expect(calls).to.deep.equal([
        ['-n', 'rec', 'patch', 'task.v1alpha1.aliecs.alice.cern/t1', '--type=json', '--patch-file=<file>', '-o', 'json'],
        ['-n', 'rec', 'patch', 'task.v1alpha1.aliecs.alice.cern/t1', '--type=merge', '--patch-file=<file>', '-o', 'json', '--subresource=status'],
      ]);
      expect(patches).to.deep.equal(['[{"op":"add","path":"/spec/state","value":"configured"}]', '{"status":{"state":"CONFIGURED"}}']);
    });

    it('patchJson: a failed test op (recorded 15) is Invalid', async () => {
      const { k } = fakeKubectl(() => recordedStep('15-patch-json-test-fails.json', 0));
      const error = (await patchJson(k, T1, [{ op: 'test', path: '/spec/state', value: 'nope' }]).catch((e: unknown) => e)) as KubectlError;
      expect(error.reason).to.equal('Invalid');
    });
  });
});
