/**
 * Namespace and name rules: kubectl-task never applies into a namespace it was not told to use,
 * and a task id or name that is not a valid label value or object name becomes a safe, distinct
 * one (or a clear error), so that no odd id reaches kubectl: every label selector kubectl is
 * given is a valid one, and the raw id is never on its command line. Against the sandbox with
 * the executor ServiceAccount of manifests/ (plus the Secrets opt-in, which kill's lookup by
 * label needs), the real kubectl recorded.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { main } from '../../src/cli/main.ts';
import { Kubectl } from '../../src/kubectl/runner.ts';
import { KubectlTask } from '../../src/task/kubectl-task.ts';
import { captureOut } from '../helpers/capture.ts';
import { Bridge, SECRETS_OPT_IN, TASK_NS, kubectlRecorder, startRbacCluster, type KubectlRecorder, type RbacCluster } from './harness.ts';

const WITH_SERVICE = join(import.meta.dirname, 'templates', 'task-with-service.yaml');
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const isSubdomain = (name: string) => name.length <= 63 && name.split('.').every((p) => DNS_LABEL.test(p));
const TASK_ID_SELECTOR = /^kubectl-task\/task-id=(.*)$/;

/** Task ids a scheduler might hand over that break label or name rules, or a shell. */
/** Odd but valid ids (control characters and padding are refused: see the blank-id test). */
const ODD_IDS = ['a/b', 'my task', '..', 'x'.repeat(300), 'a,b', 'a=b', 'x in (y)', '!a', 'a b\u00a0c', 'ünïcödé', 'ok.id_1'];

describe('security: namespaces, task ids and names stay inside their rules', function () {
  this.timeout(240_000);
  let c: RbacCluster;
  let recorder: KubectlRecorder;
  let dir: string;
  let kubectlPath: string;

  async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out = captureOut();
    const code = await main(argv, { out, signal: new AbortController().signal });
    return { code, stdout: out.stdoutText(), stderr: out.stderrText() };
  }
  const conn = () => ['--kubectl', kubectlPath, '--kubeconfig', c.test.kubeconfig, '--context', 'executor'];
  const names = async (ns: string) => (await c.admin(['get', 'task,configmap,service', '-n', ns, '-o', 'name'])).stdout;

  before(async () => {
    c = await startRbacCluster();
    const optIn = await c.admin(['apply', '-f', SECRETS_OPT_IN]);
    expect(optIn.code, optIn.stderr).to.equal(0);
    expect((await c.admin(['create', 'namespace', 'other'])).code).to.equal(0);
    recorder = await kubectlRecorder(c.env);
    kubectlPath = join(recorder.binDir, 'kubectl');
    dir = await mkdtemp(join(tmpdir(), 'kubectl-task-ids-'));
  });
  after(async () => {
    await c?.close();
    await recorder?.dispose();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  describe('the namespace it was told to use', () => {
    const task = (ns = '') => `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: nst${ns === '' ? '' : `\n  namespace: ${ns}`}
spec:
  state: standby
  pod: {containers: [{name: main, image: busybox}]}
`;
    const configMap = (ns: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nst-config\n  namespace: ${ns}\ndata: {a: b}\n---\n`;

    it('launch and render refuse a manifest with any document in another namespace than -n, before any kubectl call', async () => {
      const cases = { 'the Task': task('other'), 'a companion': configMap('other') + task(), both: configMap('other') + task('other') };
      await recorder.clear();
      for (const [what, text] of Object.entries(cases)) {
        const file = join(dir, `ns-${what.replace(/\W/g, '')}.yaml`);
        await writeFile(file, text);
        for (const command of ['launch', 'render']) {
          const r = await run(command, '-f', file, ...conn(), '-n', TASK_NS);
          expect(r.code, `${command} with ${what} in namespace other: ${r.stderr}`).to.equal(2);
          expect(r.stderr).to.contain(`the namespace from the provided object "other" does not match the namespace "${TASK_NS}"`);
        }
      }
      const mixed = join(dir, 'ns-mixed.yaml');
      await writeFile(mixed, configMap('other') + task(TASK_NS));
      const r = await run('launch', '-f', mixed, ...conn());
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.contain('objects are in different namespaces (other, o2-tasks)');
      const calls = await recorder.argvs();
      expect(
        calls.filter((argv) => argv.includes('apply') || argv.includes('get')),
        'no kubectl apply or get was run',
      ).to.deep.equal([]);
      expect(await names('other')).to.equal('');
      expect(await names(TASK_NS)).to.equal('');
    });

    it('serve -n o2-tasks answers ManifestError for such a manifest and applies nothing', async () => {
      const bridge = new Bridge(['--kubectl', kubectlPath, '--kubeconfig', c.test.kubeconfig, '--context', 'executor', '-n', TASK_NS], c.env, dir);
      try {
        await bridge.until((m) => m['type'] === 'ready', 'ready line');
        bridge.send(JSON.stringify({ type: 'launch', id: 1, taskId: 'nst', manifest: configMap('other') + task() }));
        const response = await bridge.response(1);
        expect(response['ok']).to.equal(false);
        expect(response['error']).to.deep.include({ reason: 'ManifestError' });
        expect(String((response['error'] as { message: string }).message)).to.contain('does not match the namespace "o2-tasks"');
        bridge.send(JSON.stringify({ type: 'shutdown', id: 2 }));
        await bridge.response(2);
      } finally {
        bridge.stop();
      }
      expect(await names('other')).to.equal('');
      expect(await names(TASK_NS)).to.equal('');
    });
  });

  describe('task ids', () => {
    it('an id that is not a label value gets a valid, distinct label; the raw id never reaches kubectl, and kill --task-id finds it (library)', async () => {
      await recorder.clear();
      const kubectl = new Kubectl({
        binary: kubectlPath,
        kubeconfig: c.test.kubeconfig,
        context: 'executor',
        namespace: TASK_NS,
        env: c.env,
        timeoutMs: 30_000,
      });
      const pwned = join(dir, 'pwned');
      const ids = [...ODD_IDS, `$(touch ${pwned})`, `; touch ${pwned}`];
      const labels = new Map<string, string>();
      for (const [i, id] of ids.entries()) {
        const task = new KubectlTask({ id, kubectl, template: { file: WITH_SERVICE }, env: { TASK_NAME: `id${i}` } });
        expect(await task.launch({ until: 'applied' }), `launch of ${JSON.stringify(id)}`).to.be.oneOf(['TASK_STARTING', 'TASK_RUNNING']);
        const label = (await c.admin(['get', 'task', `id${i}`, '-n', TASK_NS, '-o', 'jsonpath={.metadata.labels.kubectl-task/task-id}'])).stdout;
        expect(label.length, `label of ${JSON.stringify(id)}`).to.be.within(1, 63);
        expect(label, `label of ${JSON.stringify(id)}`).to.match(LABEL_VALUE);
        if (LABEL_VALUE.test(id) && id.length <= 63) expect(label).to.equal(id);
        labels.set(id, label);
        await task.detach();
        // A separate process would know only the id: find the task by it and kill it.
        const byId = KubectlTask.byId({ id, kubectl });
        expect(await byId.kill(), `kill --task-id ${JSON.stringify(id)}`).to.equal('TASK_KILLED');
        expect(await names(TASK_NS), `objects of ${JSON.stringify(id)} left`).to.not.match(new RegExp(`/id${i}(-config|-control)?\\n`));
      }
      expect(new Set(labels.values()).size, 'distinct ids, distinct labels').to.equal(ids.length);
      expect(existsSync(pwned), 'no shell ran the id').to.equal(false);

      const argvs = await recorder.argvs();
      expect(argvs.length).to.be.greaterThan(ids.length * 3);
      const selectors = argvs.flatMap((argv) =>
        argv.flatMap((arg, i) => (arg === '-l' || arg === '--selector' ? [argv[i + 1] ?? ''] : arg.startsWith('--selector=') ? [arg.slice(11)] : [])),
      );
      expect(selectors.length).to.be.at.least(ids.length);
      for (const selector of selectors) {
        const m = TASK_ID_SELECTOR.exec(selector);
        if (m === null) expect(selector, 'any other selector is kubectl-task’s own').to.match(/^app\.kubernetes\.io\/managed-by=kubectl-task/);
        else
          expect(m[1], `selector ${JSON.stringify(selector)}`)
            .to.match(LABEL_VALUE)
            .and.have.length.within(1, 63);
      }
      for (const id of ids.filter((x) => !(LABEL_VALUE.test(x) && x.length <= 63))) {
        const carrying = argvs.filter((argv) => argv.some((arg) => arg.includes(id)));
        expect(carrying, `kubectl argv carrying the raw id ${JSON.stringify(id)}`).to.deep.equal([]);
      }
    });

    it('the CLI launches, shows and kills by --task-id with such ids (exit 0 each, one JSON object per status line)', async () => {
      for (const [i, id] of ['a/b', '..', 'x'.repeat(300), 'x in (y)', 'my task'].entries()) {
        const name = `cli${i}`;
        const launched = await run('launch', '-f', WITH_SERVICE, '--env', `TASK_NAME=${name}`, '--task-id', id, '-o', 'json', ...conn(), '-n', TASK_NS);
        expect(launched.code, launched.stderr).to.equal(0);
        const lines = launched.stdout.trim().split('\n');
        expect(lines.map((l) => (JSON.parse(l) as { taskId: string }).taskId)).to.deep.equal(lines.map(() => id));
        const status = await run('status', '--task-id', id, '-o', 'json', ...conn(), '-n', TASK_NS);
        expect(status.code, status.stderr).to.equal(0);
        expect(JSON.parse(status.stdout)).to.deep.include({ name, actual: 'standby', executorState: 'TASK_RUNNING' });
        const killed = await run('kill', '--task-id', id, '-o', 'json', ...conn(), '-n', TASK_NS);
        expect(killed.code, killed.stderr).to.equal(0);
        expect(JSON.parse(killed.stdout.trim().split('\n').at(-1) ?? '{}')).to.deep.include({ state: 'TASK_KILLED' });
        expect(await names(TASK_NS)).to.not.contain(name);
      }
    });

    it('an empty, blank or control-character id is a clear error, before any kubectl call', async () => {
      await recorder.clear();
      for (const id of ['', ' ', '\t']) {
        for (const command of ['status', 'kill', 'watch']) {
          const r = await run(command, '--task-id', id, ...conn(), '-n', TASK_NS);
          expect(r.code, r.stderr).to.equal(2);
          expect(r.stderr).to.equal(`error: ${command}: --task-id must not be empty\n`);
        }
        const launch = await run('launch', '-f', WITH_SERVICE, '--env', 'TASK_NAME=blank', '--task-id', id, ...conn(), '-n', TASK_NS);
        expect(launch.code, launch.stderr).to.equal(2);
        expect(launch.stderr).to.equal('error: launch: --task-id must not be empty\n');
        const kubectl = new Kubectl({ binary: kubectlPath, env: c.env });
        expect(() => new KubectlTask({ id, kubectl, template: { file: WITH_SERVICE } })).to.throw(/non-empty id/);
      }
      const launch = await run('launch', '-f', WITH_SERVICE, '--env', 'TASK_NAME=nl', '--task-id', 'a\nb', ...conn(), '-n', TASK_NS);
      expect(launch.stderr).to.equal('error: launch: --task-id must not start or end with whitespace, or contain control characters\n');
      for (const command of ['status', 'kill']) {
        const r = await run(command, '--task-id', 'a\nb', ...conn(), '-n', TASK_NS);
        expect(r.code, r.stderr).to.equal(2);
        expect(r.stderr).to.equal(`error: ${command}: --task-id must not start or end with whitespace, or contain control characters\n`);
      }
      expect(await recorder.argvs()).to.deep.equal([]);
    });
  });

  describe('names', () => {
    it('a Task name that breaks the DNS rules is made valid (lower case, invalid characters replaced, hashed when cut to 63), companions and references alike', async () => {
      for (const raw of ['a/b', '..', 'UPPER', 'a b', 'y'.repeat(300), 'a_b!c', '-x-', 'a..b', '../../etc/passwd']) {
        const r = await run('render', '-f', WITH_SERVICE, '--env', `TASK_NAME=${raw}`, '-o', 'json', '-n', TASK_NS);
        expect(r.code, `${raw}: ${r.stderr}`).to.equal(0);
        const list = JSON.parse(r.stdout) as {
          items: { kind: string; metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: { selector?: Record<string, string> } }[];
        };
        for (const o of list.items) {
          expect(o.metadata.namespace).to.equal(TASK_NS);
          expect(isSubdomain(o.metadata.name), `${raw} → ${o.kind} ${o.metadata.name}`).to.equal(true);
          if (o.kind === 'Service') expect(o.metadata.name).to.match(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
          for (const [k, v] of Object.entries(o.metadata.labels)) expect(v, `${raw} → label ${k}`).to.match(LABEL_VALUE).and.have.length.at.most(63);
        }
      }
    });

    it('two names made the same by sanitising cannot take over each other’s objects: the second launch is OwnedElsewhere and changes nothing', async () => {
      const first = await run('launch', '-f', WITH_SERVICE, '--env', 'TASK_NAME=Same/Name', '--task-id', 'owner', '--no-wait', ...conn(), '-n', TASK_NS);
      expect(first.code, first.stderr).to.equal(0);
      expect(first.stdout).to.contain('task.v1alpha1.aliecs.alice.cern/same-name');
      const before = (await c.admin(['get', 'task', 'same-name', '-n', TASK_NS, '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout;
      const second = await run(
        'launch',
        '-f',
        WITH_SERVICE,
        '--env',
        'TASK_NAME=same name',
        '--env',
        'MESSAGE=hijack',
        '--task-id',
        'intruder',
        ...conn(),
        '-n',
        TASK_NS,
      );
      expect(second.code, second.stderr).to.equal(3);
      expect(second.stderr).to.match(/already exists and belongs to task owner .*\[OwnedElsewhere\]/);
      expect((await c.admin(['get', 'task', 'same-name', '-n', TASK_NS, '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout).to.equal(before);
      expect((await c.admin(['get', 'configmap', 'same-name-config', '-n', TASK_NS, '-o', 'jsonpath={.data.message}'])).stdout).to.equal('hello');
      const killed = await run('kill', '--task-id', 'owner', ...conn(), '-n', TASK_NS);
      expect(killed.code, killed.stderr).to.equal(0);
      expect(await names(TASK_NS)).to.equal('');
    });

    it('task/NAME that is not a valid Task name is refused before kubectl is called', async () => {
      await recorder.clear();
      const results: Record<string, { code: number; stderr: string }> = {};
      for (const ref of ['task/..', 'task/.', 'task/a b', 'task/A_B', `task/${'z'.repeat(300)}`])
        results[ref] = await run('status', ref, ...conn(), '-n', TASK_NS);
      const calls = (await recorder.argvs()).filter((argv) => argv.includes('get'));
      // Never sent to the API server, whatever the outcome: kubectl itself refuses `.` and `..`.
      const requested = c.test.sandbox.requestLog.entries.filter((e) => /\/tasks\/(\.|\.\.)$/.test(e.path));
      expect(requested).to.deep.equal([]);
      expect(calls, 'no kubectl call for an invalid name').to.deep.equal([]);
      for (const [ref, r] of Object.entries(results)) {
        expect(r.code, `${ref}: ${r.stderr}`).to.equal(2);
        expect(r.stderr, ref).to.match(/not a valid|invalid/i);
      }
    });
  });
});
