/**
 * Replays the recordings of real kubectl against kube-apiserver 1.26 (NN-*.json in the reference
 * folder, ../shared/reference/kube-apiserver-1.26 or $KUBECTL_TASK_REFERENCE: see
 * helpers/reference.ts) against the sandbox with the real kubectl, in file order on shared state,
 * and compares exit codes, stdout and stderr after normalising what legitimately differs (uids,
 * timestamps, resourceVersions, ports, ages, klog prefixes). Pending when the folder is absent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import Mocha from 'mocha';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { describeWithReference, REFERENCE_DIR } from '../helpers/reference.ts';
import {
  compareOutcome as compare,
  MANIFESTS,
  normalise,
  recordedCalls,
  resourceCalls,
  startReplayServer,
  type RecordedExchange as Exchange,
  type ReplayServer,
} from './conformance-support.ts';

const REFERENCE = REFERENCE_DIR;

interface Step {
  argv: string[];
  context: string;
  stdin?: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  http: Exchange[];
}

interface Recording {
  name: string;
  what: string;
  steps?: Step[];
  watch?: { argv: string[]; stdout: string; stderr: string; exitCode: number; endedBy: string };
  changes?: { argv: string[]; exitCode: number; stdout: string; stderr: string }[];
  http?: Exchange[];
}

/** Scenarios deliberately not replayed, with the reason. Keep this tiny and honest. */
const OUT_OF_SCOPE: Record<string, string> = {};

/**
 * Commands the recorder ran between scenarios without recording them, reconstructed from gaps in
 * the admin request counter and from the state the next scenario starts with: before 22, seq
 * 256–260 are exactly the five requests of an `apply` of an existing object, and the Task's
 * managedFields in 22 show kubectl-client-side-apply re-owning spec.state at that time.
 */
const UNRECORDED_SETUP: Record<string, string[][]> = {
  '22-watch-json-events': [['kubectl', 'apply', '-f', 't1.yaml']],
};

/** GET with the admin token, trusting the sandbox CA. */
function fetchJson(sb: Sandbox, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, sb.url), { ca: sb.caPem, headers: { authorization: `Bearer ${sb.tokens['admin'] ?? ''}` } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

describeWithReference('sandbox conformance with kube-apiserver 1.26 recordings', function () {
  this.timeout(120_000);
  let server: ReplayServer;
  let sandbox: Sandbox;

  before(async function () {
    server = await startReplayServer({
      tmpPrefix: 'kubectl-task-conformance-',
      namespace: 'rec',
      rules: { 'task-executor': [{ verbs: ['get', 'list', 'watch'], resources: ['tasks'], apiGroups: ['aliecs.alice.cern'], namespaces: ['rec'] }] },
      extraContexts: [{ context: 'nobody', user: 'nobody', token: 'wrong-token' }],
    });
    sandbox = server.sandbox;
    sandbox.store.put({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'task-reader', namespace: 'rec' },
      rules: [{ apiGroups: ['aliecs.alice.cern'], resources: ['tasks'], verbs: ['get', 'list', 'watch'] }],
    });
    sandbox.store.put({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'task-reader', namespace: 'rec' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'task-reader' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'task-executor' }],
    });
    for (const [file, text] of Object.entries(MANIFESTS)) await writeFile(join(server.work, file), text);
    // One test per recording, added now rather than while the file loads, so that loading never
    // reads the reference (mocha runs the tests a suite holds once its `before` hooks are done).
    const suite = this.test?.parent;
    if (suite === undefined) throw new Error('conformance.test.ts: the before hook has no parent suite');
    for (const file of readdirSync(REFERENCE)
      .filter((f) => /^\d\d-.*\.json$/.test(f))
      .sort())
      suite.addTest(replayTest(file));
  });

  after(async () => {
    if (server !== undefined) await server.close();
  });

  it('serves the discovery entries kubectl uses exactly as recorded', async () => {
    const rec = JSON.parse(readFileSync(join(REFERENCE, '01-discovery-and-apply-create.json'), 'utf8')) as Recording;
    const recorded = (path: string): Record<string, unknown> => {
      const e = rec.steps![0]!.http.find((x) => x.url.split('?')[0] === path) as (Exchange & { resBody: string }) | undefined;
      return JSON.parse(e!.resBody) as Record<string, unknown>;
    };
    const ours = async (path: string): Promise<Record<string, unknown>> => {
      const res = await fetchJson(sandbox, path);
      return JSON.parse(res) as Record<string, unknown>;
    };
    expect(await ours('/apis/aliecs.alice.cern/v1alpha1')).to.deep.equal(recorded('/apis/aliecs.alice.cern/v1alpha1'));
    type Entry = { name: string };
    const pick = (doc: Record<string, unknown>) =>
      (doc['resources'] as Entry[]).filter((r) => ['namespaces', 'namespaces/status', 'configmaps', 'secrets', 'services', 'pods'].includes(r.name));
    expect(pick(await ours('/api/v1'))).to.deep.equal(pick(recorded('/api/v1')));
    const crdList = (doc: Record<string, unknown>) => (doc['resources'] as Entry[]).filter((r) => r.name.startsWith('customresourcedefinitions'));
    expect(crdList(await ours('/apis/apiextensions.k8s.io/v1'))).to.deep.equal(crdList(recorded('/apis/apiextensions.k8s.io/v1')));
    const { buildDate: _a, ...version } = await ours('/version');
    const { buildDate: _b, ...recordedVersion } = recorded('/version');
    expect(version).to.deep.equal(recordedVersion);
  });

  function replayTest(file: string): Mocha.Test {
    const rec = JSON.parse(readFileSync(join(REFERENCE, file), 'utf8')) as Recording;
    const reason = OUT_OF_SCOPE[rec.name];
    // A test without a function is pending, as it.skip would declare it.
    if (reason !== undefined) return new Mocha.Test(`${rec.name} (out of scope: ${reason})`);
    return new Mocha.Test(`${rec.name}: ${rec.what}`, async () => {
      for (const argv of UNRECORDED_SETUP[rec.name] ?? []) {
        const setup = await server.run(argv, 'admin');
        expect(setup.exitCode, `setup ${argv.join(' ')}: ${setup.stderr}`).to.equal(0);
      }
      if (rec.steps !== undefined) {
        for (const [i, step] of rec.steps.entries()) {
          sandbox.requestLog.clear();
          const got = await server.run(step.argv, step.context, step.stdin);
          const label = `${rec.name} step ${i + 1}: ${step.argv.join(' ')}`;
          compare(label, got, step);
          expect(resourceCalls([...sandbox.requestLog.entries]), `${label}: resource requests`).to.deep.equal(recordedCalls(step.http));
        }
        return;
      }
      const watch = rec.watch!;
      sandbox.requestLog.clear();
      const bg = server.start(watch.argv, 'admin');
      const deadline = Date.now() + 15_000;
      while (sandbox.requestLog.count({ verb: 'watch' }) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const change of rec.changes ?? []) {
        const got = await server.run(change.argv, 'admin');
        compare(`${rec.name} change: ${change.argv.join(' ')}`, got, change);
      }
      // endedBy says SIGINT for all three, but a kubectl the recorder interrupted exits 1 (README);
      // exit 0 (24, `kubectl wait --for=delete`) means it ended by itself and must do so here too.
      if (watch.exitCode === 0) {
        const safety = setTimeout(() => bg.child.kill('SIGKILL'), 60_000);
        const ended = await bg.done;
        clearTimeout(safety);
        expect(ended.exitCode, `${rec.name}: the background kubectl did not end by itself`).to.not.equal(null);
      } else {
        const expected = normalise(watch.stdout);
        while (normalise(bg.output()).length < expected.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        bg.child.kill('SIGINT');
      }
      compare(`${rec.name} background: ${watch.argv.join(' ')}`, await bg.done, watch);
      expect(resourceCalls([...sandbox.requestLog.entries]), `${rec.name}: resource requests`).to.deep.equal(recordedCalls(rec.http ?? []));
    });
  }
});
