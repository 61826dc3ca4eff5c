/**
 * The client-side → server-side ownership migration of batch/28-ssa-batched-transition.json, held
 * to the recorded result: a partial server-side apply onto Tasks that `kubectl apply` (client side)
 * made is refused (409), and with --force-conflicts kubectl applies, replaces
 * /metadata/managedFields with a JSON patch (the migration) and applies again, which drops every
 * field the applier no longer lists: spec only {state: configured}, no labels, no
 * last-applied-configuration annotation, generation 3, one managedFields entry.
 *
 * Two ways: with the reference, every recorded request of the scenario is sent again as recorded
 * and every response body must be the recorded one (uids, times and the resourceVersion offset
 * aside); without it, the same flow through the real kubectl on the recorded manifests, checked
 * against the recorded end state written out here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { isJsonObject, type JsonObject, type JsonValue } from '../../src/json.ts';
import { describeWithReference, REFERENCE_DIR } from '../helpers/reference.ts';
import { runKubectl, startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { client, type Call } from './sandbox-client.ts';

const RECORDING = join(REFERENCE_DIR, 'batch', '28-ssa-batched-transition.json');
const BATCH_FILES = join(REFERENCE_DIR, 'batch', 'files');

interface Exchange {
  method: string;
  url: string;
  status: number;
  reqHeaders?: Record<string, string>;
  reqBody?: string;
  resBody?: string;
}

/** uids, creation and managedFields times out; resourceVersions as numbers, to compare offsets. */
function normalise(v: JsonValue, rvs: number[]): JsonValue {
  if (Array.isArray(v)) return v.map((x) => normalise(x, rvs));
  if (!isJsonObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'uid' || k === 'creationTimestamp' || k === 'time') out[k] = `<${k}>`;
    else if (k === 'resourceVersion' && typeof x === 'string' && x !== '') {
      rvs.push(Number(x));
      out[k] = '<rv>';
    } else out[k] = normalise(x, rvs);
  }
  return out;
}

/** The recorded end state of each Task after the forced partial apply (GET of step 3). */
function endState(name: string): JsonObject {
  return {
    apiVersion: 'aliecs.alice.cern/v1alpha1',
    kind: 'Task',
    metadata: {
      creationTimestamp: '<creationTimestamp>',
      generation: 3,
      managedFields: [
        {
          apiVersion: 'aliecs.alice.cern/v1alpha1',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:state': {} } },
          manager: 'kubectl-task-transition',
          operation: 'Apply',
          time: '<time>',
        },
      ],
      name,
      namespace: 'recb',
      resourceVersion: '<rv>',
      uid: '<uid>',
    },
    spec: { state: 'configured' },
  };
}

const BATCH = ['b1', 'b2', 'b4']
  .map(
    (n) => `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: ${n}
  namespace: recb
  labels:
    app.kubernetes.io/managed-by: kubectl-task
    kubectl-task/task-id: ${n}
spec:
  state: standby
  control:
    mode: direct
    port: 31000
`,
  )
  .join('---\n');
const CONFIGURE = ['b1', 'b2', 'b4']
  .map((n) => `apiVersion: aliecs.alice.cern/v1alpha1\nkind: Task\nmetadata:\n  name: ${n}\n  namespace: recb\nspec:\n  state: configured\n`)
  .join('---\n');

describe('sandbox fidelity: client-side → server-side apply migration (batch/28)', function () {
  this.timeout(60_000);
  let test: TestSandbox | undefined;
  let call: Call;
  afterEach(async () => {
    await test?.cleanup();
    test = undefined;
  });

  it('through the real kubectl: refused, then migrated, leaving exactly the recorded Tasks', async () => {
    test = await startTestSandbox({ namespace: 'recb', tls: false });
    call = client(test.sandbox);
    const run = (args: string[], stdin?: string) => runKubectl(test!.env, ['--context', 'admin', ...args], stdin);
    expect((await run(['apply', '-f', '-'], BATCH)).stdout).to.equal(
      'task.aliecs.alice.cern/b1 created\ntask.aliecs.alice.cern/b2 created\ntask.aliecs.alice.cern/b4 created\n',
    );
    const before = test.sandbox.store.get('tasks', 'recb', 'b1')!;
    const rvBefore = Number((before['metadata'] as JsonObject)['resourceVersion']);
    expect((before['metadata'] as JsonObject)['generation']).to.equal(1);

    const refused = await run(['apply', '--server-side', '--field-manager=kubectl-task-transition', '-f', '-'], CONFIGURE);
    expect(refused.code).to.equal(1);
    expect(refused.stdout).to.equal('');
    expect(refused.stderr).to.match(
      /^Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using aliecs\.alice\.cern\/v1alpha1: \.spec\.state\nPlease review the fields above/,
    );
    // A refused apply writes nothing.
    expect((test.sandbox.store.get('tasks', 'recb', 'b4')!['metadata'] as JsonObject)['resourceVersion']).to.equal(String(rvBefore + 2));

    test.sandbox.requestLog.clear();
    const forced = await run(['apply', '--server-side', '--field-manager=kubectl-task-transition', '--force-conflicts', '-f', '-'], CONFIGURE);
    expect(forced.code, forced.stderr).to.equal(0);
    expect(forced.stdout).to.equal(
      'task.aliecs.alice.cern/b1 serverside-applied\ntask.aliecs.alice.cern/b2 serverside-applied\ntask.aliecs.alice.cern/b4 serverside-applied\n',
    );
    // Per Task: apply, the migration patch, apply again; each one a write.
    const patches = test.sandbox.requestLog.entries.filter((e) => e.method === 'PATCH').map((e) => `${e.path.split('/').pop()} ${e.query} ${e.status}`);
    expect(patches).to.deep.equal(
      ['b1', 'b2', 'b4'].flatMap((n) => [
        `${n} fieldManager=kubectl-task-transition&fieldValidation=Strict&force=true 200`,
        `${n} fieldManager=kubectl-task-transition&fieldValidation=Strict 200`,
        `${n} fieldManager=kubectl-task-transition&fieldValidation=Strict&force=true 200`,
      ]),
    );

    const list = await call('GET', '/apis/aliecs.alice.cern/v1alpha1/namespaces/recb/tasks?limit=500');
    const rvs: number[] = [];
    expect(normalise(list.json as JsonObject, rvs)).to.deep.equal({
      apiVersion: 'aliecs.alice.cern/v1alpha1',
      items: ['b1', 'b2', 'b4'].map(endState),
      kind: 'TaskList',
      metadata: { continue: '', resourceVersion: '<rv>' },
    });
    // As recorded (430, 433, 436; list 436): three writes per Task, nothing else.
    expect(rvs.map((rv) => rv - rvBefore)).to.deep.equal([5, 8, 11, 11]);
    expect((await run(['get', 'tasks', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.state}{"\\n"}{end}'])).stdout).to.equal(
      'b1=configured\nb2=configured\nb4=configured\n',
    );
  });

  describeWithReference('replayed request by request (reference)', () => {
    it('every response of the recorded scenario is the recorded one', async () => {
      test = await startTestSandbox({ namespace: 'recb', tls: false, crd: 'upstream' });
      call = client(test.sandbox);
      // The state scenario 25 left: b1, b2 and b4 applied client side from batch4.yaml (b3 is invalid).
      const setup = await runKubectl(test.env, ['--context', 'admin', 'apply', '-f', join(BATCH_FILES, 'batch4.yaml')]);
      expect(setup.stdout).to.contain('task.aliecs.alice.cern/b4 created');
      const recording = JSON.parse(readFileSync(RECORDING, 'utf8')) as { steps: { http: Exchange[] }[] };
      const exchanges = recording.steps.slice(0, 3).flatMap((s) => s.http.filter((e) => e.url.includes('/tasks')));
      expect(exchanges.length).to.equal(13);
      let offset: number | undefined;
      for (const e of exchanges) {
        let body = e.reqBody;
        // The migration patch guards itself with the resourceVersion kubectl read: the sandbox's.
        if (body !== undefined && offset !== undefined) {
          body = body.replace(/("path":"\/metadata\/resourceVersion","value":")(\d+)"/, (_m, p: string, rv: string) => `${p}${Number(rv) + offset!}"`);
        }
        const got = await call(e.method, e.url, {
          ...(body !== undefined && body !== '' ? { body, contentType: e.reqHeaders?.['content-type'] ?? 'application/json' } : {}),
          ...(e.reqHeaders?.['user-agent'] !== undefined ? { headers: { 'user-agent': e.reqHeaders['user-agent'] } } : {}),
        });
        const label = `${e.method} ${e.url}`;
        expect(got.status, `${label}: ${got.text}`).to.equal(e.status);
        const wantRvs: number[] = [];
        const gotRvs: number[] = [];
        const want = normalise(JSON.parse(e.resBody ?? 'null') as JsonValue, wantRvs);
        expect(normalise(got.json as JsonValue, gotRvs), label).to.deep.equal(want);
        for (const [i, rv] of wantRvs.entries()) {
          offset ??= gotRvs[i]! - rv;
          expect(gotRvs[i]! - rv, `${label}: resourceVersion offset`).to.equal(offset);
        }
      }
    });
  });
});
