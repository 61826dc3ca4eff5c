/**
 * Replays the second set of recordings (batch/NN-*.json in the reference folder: batched apply,
 * get, delete and patch, server-side apply, the shared informer's label-selected watches, 410
 * Expired, RBAC from stored Roles) against the sandbox with the real kubectl, on one namespace
 * (`recb`), and compares exit codes, stdout, stderr and the resource requests after the same
 * normalisation as conformance.test.ts. Pending when the reference folder is absent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import Mocha from 'mocha';
import { isJsonObject, type JsonObject, type JsonValue } from '../../src/json.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { route } from '../../src/sandbox/core/request-info.ts';
import { describeWithReference, REFERENCE_DIR } from '../helpers/reference.ts';
import {
  compareOutcome,
  normalise as normaliseFirstSet,
  recordedCalls,
  resourceCalls,
  startReplayServer,
  type RecordedExchange,
  type RecordedOutcome as Outcome,
  type ReplayServer,
  type RunResult,
} from './conformance-support.ts';

const BATCH = join(REFERENCE_DIR, 'batch');
const NAMESPACE = 'recb';

interface Exchange extends RecordedExchange {
  seq: number;
  resBody?: string;
}

interface Step extends Outcome {
  argv: string[];
  context: string;
  stdin?: string;
  http: Exchange[];
}

interface Recording {
  name: string;
  what: string;
  steps?: Step[];
  watch?: Outcome & { argv: string[]; endedBy: string };
  changes?: (Outcome & { argv: string[]; stdin?: string })[];
  http?: Exchange[];
}

/**
 * The first set's normalisation, plus the compaction horizon in a 410 message ("too old resource
 * version: 1 (423)"): the second number is the oldest revision that server still had.
 */
function normalise(text: string): string {
  return normaliseFirstSet(text).replace(/(too old resource version: \d+) \(\d+\)/g, '$1 (<rv>)');
}

/**
 * The order the recordings were made in, which their state depends on: file order, except that
 * 34 ran right after 30 (admin seq 161–288, resourceVersions 442–443, and its last step lists
 * only b4, the state 30 left) and before the setup of 31 (seq from 305). 35 was recorded last,
 * 16 minutes later (its seq restarted at 11; resourceVersions from 1160).
 */
function replayOrder(files: string[]): string[] {
  const rbac = files.find((f) => f.startsWith('34-'));
  const rest = files.filter((f) => f !== rbac);
  const before = rest.findIndex((f) => f.startsWith('31-'));
  if (rbac === undefined || before < 0) return files;
  return [...rest.slice(0, before), rbac, ...rest.slice(before)];
}

/**
 * Commands the README says ran between scenarios without being recorded. The first change of 31
 * is `apply -f -` whose stdin (Tasks w1–w3) the recorder kept; nothing else needs adding.
 */
const UNRECORDED_SETUP: Record<string, string[][]> = {
  '31-watch-label-selector-many': [
    ['kubectl', 'apply', '-f', 'batch4-ok.yaml'],
    ['kubectl', 'create', 'configmap', 'unrelated', '--from-literal=a=1'],
  ],
};

/**
 * How each Task a scenario touched ended up, from the last response that carried it (by seq, the
 * order kubectl sent the requests): its body, or null after a successful DELETE. Dry runs and
 * failures changed nothing and are skipped.
 */
function recordedFinalTasks(exchanges: Exchange[]): Map<string, JsonObject | null> {
  const out = new Map<string, JsonObject | null>();
  for (const e of [...exchanges].sort((a, b) => a.seq - b.seq)) {
    const [path = '', query = ''] = e.url.split('?');
    const params = new URLSearchParams(query);
    const r = route(e.method, path, params);
    if (r.kind !== 'resource' || r.resource !== 'tasks' || e.status >= 300 || params.has('dryRun')) continue;
    if (e.method === 'DELETE' && r.name !== '') {
      out.set(`${r.namespace}/${r.name}`, null);
      continue;
    }
    if (e.resBody === undefined || params.get('watch') === 'true') continue;
    const body = JSON.parse(e.resBody) as JsonValue;
    if (!isJsonObject(body) || body['kind'] !== 'Task' || !isJsonObject(body['metadata'])) continue;
    out.set(`${String(body['metadata']['namespace'])}/${String(body['metadata']['name'])}`, body);
  }
  return out;
}

/** An object with what differs between servers (uids, times, resourceVersions) replaced. */
const normalisedObject = (o: JsonObject): JsonValue => JSON.parse(normalise(JSON.stringify(o))) as JsonValue;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describeWithReference('sandbox conformance with the batch recordings (kube-apiserver 1.26, batch/25–35)', function () {
  this.timeout(180_000);
  let server: ReplayServer;
  let sandbox: Sandbox;

  const compare = (label: string, got: RunResult, want: Outcome): void => compareOutcome(label, got, want, normalise);

  before(async function () {
    server = await startReplayServer({
      tmpPrefix: 'kubectl-task-conformance-batch-',
      namespace: NAMESPACE,
      // No built-in grants: what task-executor may do comes only from the Roles and RoleBindings
      // the scenarios store (34), as on the recording server.
      rules: {},
    });
    sandbox = server.sandbox;
    // The manifests the recordings' working directory held (batch4.yaml, ssa-configure.yaml, ...).
    const files = join(BATCH, 'files');
    for (const f of readdirSync(files)) await writeFile(join(server.work, f), readFileSync(join(files, f)));
    // One test per recording, added once the reference is known to be there (see conformance.test.ts).
    const suite = this.test?.parent;
    if (suite === undefined) throw new Error('conformance-batch.test.ts: the before hook has no parent suite');
    const recordings = readdirSync(BATCH)
      .filter((f) => /^\d\d-.*\.json$/.test(f))
      .sort();
    for (const file of replayOrder(recordings)) suite.addTest(replayTest(file));
  });

  after(async () => {
    if (server !== undefined) await server.close();
  });

  // Mocha runs a suite's hooks only when it holds a test when it starts, so this one is declared
  // up front; the replays are added by the before hook.
  it('finds the recordings 25–35 and the manifests they use', () => {
    const names = readdirSync(BATCH)
      .filter((f) => /^\d\d-.*\.json$/.test(f))
      .map((f) => f.slice(0, 2));
    expect(names.sort()).to.deep.equal(['25', '26', '27', '28', '29', '30', '31', '32', '33', '34', '35']);
    expect(readdirSync(join(BATCH, 'files')).sort()).to.include.members([
      'batch4.yaml',
      'batch4-ok.yaml',
      'ssa-configure.yaml',
      'ssa-bad.yaml',
      'patch3.yaml',
      'refs3.yaml',
    ]);
  });

  async function replaySteps(rec: Recording, steps: Step[]): Promise<void> {
    for (const [i, step] of steps.entries()) {
      sandbox.requestLog.clear();
      const got = await server.run(step.argv, step.context, step.stdin);
      const label = `${rec.name} step ${i + 1}: ${step.argv.join(' ')}`;
      compare(label, got, step);
      expect(resourceCalls([...sandbox.requestLog.entries]), `${label}: resource requests`).to.deep.equal(recordedCalls(step.http));
    }
  }

  /**
   * A long-running `get --watch` while the changes run, then SIGINT once it printed as much as
   * the recording: its events (compact JSON lines) must be the recorded ones, in order.
   */
  async function replayWatch(rec: Recording): Promise<void> {
    const watch = rec.watch!;
    sandbox.requestLog.clear();
    const bg = server.start(watch.argv, 'admin');
    const deadline = Date.now() + 20_000;
    while (sandbox.requestLog.count({ verb: 'watch' }) === 0 && Date.now() < deadline) await sleep(20);
    expect(sandbox.requestLog.count({ verb: 'watch' }), `${rec.name}: the watch never started`).to.be.greaterThan(0);
    for (const change of rec.changes ?? []) {
      const got = await server.run(change.argv, 'admin', change.stdin);
      compare(`${rec.name} change: ${change.argv.join(' ')}`, got, change);
    }
    const expected = normalise(watch.stdout);
    while (normalise(bg.output()).length < expected.length && Date.now() < deadline) await sleep(20);
    // Events the sandbox might wrongly send after the last expected one get a moment to show up.
    await sleep(200);
    bg.child.kill('SIGINT');
    const ended = await bg.done;
    const events = (text: string): string[] =>
      normalise(text)
        .split('\n')
        .filter((l) => l !== '');
    expect(events(ended.stdout), `${rec.name} watch events: ${watch.argv.join(' ')}`).to.deep.equal(events(watch.stdout));
    compare(`${rec.name} background: ${watch.argv.join(' ')}`, ended, watch);
    expect(resourceCalls([...sandbox.requestLog.entries]), `${rec.name}: resource requests`).to.deep.equal(recordedCalls(rec.http ?? []));
  }

  function replayTest(file: string): Mocha.Test {
    const rec = JSON.parse(readFileSync(join(BATCH, file), 'utf8')) as Recording;
    return new Mocha.Test(`${rec.name}: ${rec.what}`, async () => {
      for (const argv of UNRECORDED_SETUP[rec.name] ?? []) {
        const setup = await server.run(argv, 'admin');
        expect(setup.exitCode, `setup ${argv.join(' ')}: ${setup.stderr}`).to.equal(0);
      }
      if (rec.steps !== undefined) await replaySteps(rec, rec.steps);
      else await replayWatch(rec);
      // Output alone does not show every field (28's `serverside-applied` hides what the apply
      // removed): each Task must end exactly as the server last returned it.
      const exchanges = rec.steps !== undefined ? rec.steps.flatMap((s) => s.http) : (rec.http ?? []);
      for (const [key, want] of recordedFinalTasks(exchanges)) {
        const [ns = '', name = ''] = key.split('/');
        const got = sandbox.store.get('tasks', ns, name);
        expect(got === undefined ? null : normalisedObject(got), `${rec.name}: Task ${key} at the end`).to.deep.equal(
          want === null ? null : normalisedObject(want),
        );
      }
    });
  }
});
