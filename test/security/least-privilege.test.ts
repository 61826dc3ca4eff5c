/**
 * Least privilege, proven on the sandbox with the project's own manifests: `kubectl apply -k
 * manifests/` as admin, then the sandbox's `executor` token, which authenticates as the
 * ServiceAccount o2-tasks/kubectl-task-executor and has no static rules at all (startSandbox's
 * `executor: { serviceAccount }`), may do exactly what the RoleBinding in manifests/ grants. The
 * RoleBinding's subject is that ServiceAccount, so no extra binding is made here.
 *
 * Shown three ways: `kubectl auth can-i --as` (admin impersonating the ServiceAccount,
 * SelfSubjectAccessReview), the real kubectl with the executor's own token, and the product
 * (`node bin/kubectl-task.js … --context executor`) against the fake task manager.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { execa } from 'execa';
import { EXECUTOR_USER, MANIFESTS, REAL_KUBECTL, SECRETS_OPT_IN, TASK_NS, cli, startRbacCluster, type RbacCluster, type Run } from './harness.ts';

const TEMPLATES = join(import.meta.dirname, 'templates');
const WITH_SERVICE = join(TEMPLATES, 'task-with-service.yaml');
const WITH_SECRET = join(TEMPLATES, 'task-with-secret.yaml');
const OTHER_NS = 'other';
const TASKS = 'tasks.aliecs.alice.cern';

/** A manifest as kubectl-task would apply it: a Task, a ConfigMap and a Service. */
function rawManifest(name: string): string {
  return `apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}-config}
data: {a: b}
---
apiVersion: v1
kind: Service
metadata: {name: ${name}-svc}
spec:
  ports: [{port: 80}]
---
apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata: {name: ${name}}
spec:
  state: standby
  pod: {containers: [{name: main, image: busybox}]}
`;
}

const SECRET = (name: string) => `apiVersion: v1
kind: Secret
metadata: {name: ${name}}
stringData: {token: not-a-real-one}
`;

function forbidden(r: Run, what: RegExp): void {
  expect(r.code, `${r.stdout}${r.stderr}`).to.not.equal(0);
  expect(r.stderr).to.match(/forbidden/i);
  expect(r.stderr).to.contain(`User "${EXECUTOR_USER}"`);
  expect(r.stderr).to.match(what);
}

describe('security: least privilege of manifests/ on the sandbox (executor = ServiceAccount o2-tasks/kubectl-task-executor, no static rules)', function () {
  this.timeout(180_000);
  let c: RbacCluster;
  let dir: string;

  /** `kubectl auth can-i` as admin impersonating the executor: true for yes (exit 0), false for no (exit 1). */
  async function canI(verb: string, resource: string, namespace: string | null, extra: string[] = []): Promise<boolean> {
    // null: every namespace (-A), which is also how a cluster-scoped resource is asked about.
    const r = await c.admin(['auth', 'can-i', verb, resource, `--as=${EXECUTOR_USER}`, ...(namespace === null ? ['-A'] : ['-n', namespace]), ...extra]);
    expect(r.code, r.stderr).to.be.oneOf([0, 1]);
    expect(r.stdout.trim()).to.equal(r.code === 0 ? 'yes' : 'no');
    return r.code === 0;
  }

  /** Runs every question, two at a time (two cores), and returns the ones answered otherwise. */
  async function unexpectedAnswers(questions: [verb: string, resource: string, ns: string | null, expected: boolean, extra?: string[]][]): Promise<string[]> {
    const wrong: string[] = [];
    for (let i = 0; i < questions.length; i += 2) {
      await Promise.all(
        questions.slice(i, i + 2).map(async ([verb, resource, ns, expected, extra]) => {
          const got = await canI(verb, resource, ns, extra);
          if (got !== expected)
            wrong.push(
              `can-i ${verb} ${resource}${extra ? ` ${extra.join(' ')}` : ''} -n ${ns ?? '(cluster)'}: ${got ? 'yes' : 'no'}, expected ${expected ? 'yes' : 'no'}`,
            );
        }),
      );
    }
    return wrong;
  }

  const secretRights = async (expected: boolean, verbs: string[]) =>
    unexpectedAnswers(verbs.map((v) => [v, 'secrets', TASK_NS, expected] as [string, string, string, boolean]));

  before(async () => {
    c = await startRbacCluster();
    dir = await mkdtemp(join(tmpdir(), 'kubectl-task-least-privilege-'));
    const created = await c.admin(['create', 'namespace', OTHER_NS]);
    expect(created.code, created.stderr).to.equal(0);
    // Objects the executor must not reach: a Task in another namespace, a Secret in its own.
    expect((await c.admin(['apply', '-n', OTHER_NS, '-f', '-'], rawManifest('elsewhere'))).code).to.equal(0);
    expect((await c.admin(['apply', '-n', TASK_NS, '-f', '-'], SECRET('someone-elses'))).code).to.equal(0);
  });
  after(async () => {
    await c?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('kubectl apply -k manifests/ binds the executor ServiceAccount to a Role without Secrets, and the executor token is that ServiceAccount', async () => {
    const role = JSON.parse((await c.admin(['get', 'role', 'kubectl-task-executor', '-n', TASK_NS, '-o', 'json'])).stdout) as {
      rules: { resources: string[]; verbs: string[] }[];
    };
    expect(role.rules.flatMap((r) => r.resources)).to.have.members(['tasks', 'tasks/status', 'configmaps', 'services']);
    expect(role.rules.flatMap((r) => r.verbs)).to.not.include.members(['update', 'deletecollection', '*']);
    const binding = JSON.parse((await c.admin(['get', 'rolebinding', 'kubectl-task-executor', '-n', TASK_NS, '-o', 'json'])).stdout) as Record<string, unknown>;
    expect(binding['subjects']).to.deep.equal([{ kind: 'ServiceAccount', name: 'kubectl-task-executor', namespace: TASK_NS }]);
    expect(binding['roleRef']).to.deep.include({ kind: 'Role', name: 'kubectl-task-executor' });
    // Nothing cluster-wide: no ClusterRole or ClusterRoleBinding is part of the manifests.
    const kustomized = await execa(REAL_KUBECTL, ['kustomize', MANIFESTS]);
    const kinds = parseAllDocuments(kustomized.stdout).map((d) => (d.toJS() as { kind: string }).kind);
    expect(kinds).to.not.include.members(['ClusterRole', 'ClusterRoleBinding']);
    expect(kinds.filter((k) => k === 'RoleBinding')).to.have.length(2);

    c.test.sandbox.requestLog.clear();
    const listed = await c.executor(['get', 'tasks', '-n', TASK_NS, '-o', 'name']);
    expect(listed.code, listed.stderr).to.equal(0);
    const users = new Set(c.test.sandbox.requestLog.entries.filter((e) => e.verb === 'list').map((e) => e.user));
    expect([...users]).to.deep.equal([EXECUTOR_USER]);
  });

  it('kubectl auth can-i --as: launch, transition, watch and kill Tasks, ConfigMaps and Services in o2-tasks; nothing in another namespace, on nodes, CRDs, tasks/status writes, Secrets or RBAC', async () => {
    const yes: [string, string, string | null, boolean][] = [];
    const no: [string, string, string | null, boolean, string[]?][] = [];
    for (const resource of [TASKS, 'configmaps', 'services']) {
      for (const verb of ['get', 'create', 'patch', 'delete']) yes.push([verb, resource, TASK_NS, true]);
      for (const verb of ['get', 'list', 'create', 'patch', 'delete']) no.push([verb, resource, OTHER_NS, false]);
      for (const verb of ['update', 'deletecollection']) no.push([verb, resource, TASK_NS, false]);
    }
    yes.push(['list', TASKS, TASK_NS, true], ['watch', TASKS, TASK_NS, true], ['get', TASKS, TASK_NS, true]);
    no.push(
      ['list', TASKS, null, false], // every namespace at once
      ['watch', TASKS, OTHER_NS, false],
      ['patch', TASKS, TASK_NS, false, ['--subresource=status']],
      ['update', TASKS, TASK_NS, false, ['--subresource=status']],
      ['list', 'nodes', null, false],
      ['get', 'nodes', null, false],
      ['create', 'customresourcedefinitions', null, false],
      ['patch', 'customresourcedefinitions', null, false],
      ['delete', 'customresourcedefinitions', null, false],
      ['list', 'customresourcedefinitions', null, false],
      ['get', 'namespaces', null, false],
      ['create', 'pods', TASK_NS, false],
      ['create', 'roles', TASK_NS, false],
      ['create', 'rolebindings', TASK_NS, false],
      ['impersonate', 'users', null, false],
      ['impersonate', 'serviceaccounts', TASK_NS, false],
    );
    expect(await unexpectedAnswers([...yes, ...no])).to.deep.equal([]);
    expect(await secretRights(false, ['get', 'list', 'watch', 'create', 'patch', 'delete'])).to.deep.equal([]);

    // The rules review (can-i --list) shows exactly the Role's rules besides the bootstrap ones.
    const listed = await c.admin(['auth', 'can-i', '--list', `--as=${EXECUTOR_USER}`, '-n', TASK_NS]);
    expect(listed.code, listed.stderr).to.equal(0);
    const resources = listed.stdout
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/)[0])
      .filter((r) => r !== '' && r !== undefined);
    expect(resources).to.have.members([
      'selfsubjectaccessreviews.authorization.k8s.io',
      'selfsubjectrulesreviews.authorization.k8s.io',
      'configmaps',
      'services',
      TASKS,
      `${TASKS}/status`,
    ]);
    expect(listed.stdout).to.match(/^tasks\.aliecs\.alice\.cern\s+\[\]\s+\[\]\s+\[get list watch create patch delete\]$/m);
    const elsewhere = await c.admin(['auth', 'can-i', '--list', `--as=${EXECUTOR_USER}`, '-n', OTHER_NS]);
    expect(elsewhere.stdout).to.not.match(/configmaps|services|tasks\.aliecs|secrets/);
  });

  it('the executor token with the real kubectl: apply a Task with a ConfigMap and a Service, patch it, list and watch it, delete it, in o2-tasks', async () => {
    const ns = ['-n', TASK_NS];
    const applied = await c.executor(['apply', '-f', '-', ...ns], rawManifest('raw'));
    expect(applied.code, applied.stderr).to.equal(0);
    expect(applied.stdout).to.contain('configmap/raw-config created').and.contain('service/raw-svc created').and.contain('task.aliecs.alice.cern/raw created');
    const patched = await c.executor(['patch', 'task', 'raw', '--type=merge', '-p', '{"spec":{"state":"configured"}}', ...ns]);
    expect(patched.code, patched.stderr).to.equal(0);
    c.test.sandbox.requestLog.clear();
    // kubectl wait lists and then watches until the fake task manager has followed spec.state.
    const waited = await c.executor(['wait', '--for=jsonpath={.status.state}=configured', 'task/raw', '--timeout=30s', ...ns]);
    expect(waited.code, waited.stderr).to.equal(0);
    const watches = c.test.sandbox.requestLog.entries.filter((e) => e.user === EXECUTOR_USER && (e.verb === 'watch' || e.verb === 'list'));
    expect(watches.map((e) => `${e.verb} ${e.status}`)).to.include.members(['list 200', 'watch 200']);
    const status = await c.executor(['get', 'task', 'raw', '--subresource=status', '-o', 'jsonpath={.status.state}', ...ns]);
    expect(status.stdout).to.equal('configured');
    const deleted = await c.executor(['delete', 'task/raw', 'configmap/raw-config', 'service/raw-svc', '--wait=true', ...ns]);
    expect(deleted.code, deleted.stderr).to.equal(0);
    expect((await c.admin(['get', 'task,configmap,service', '-n', TASK_NS, '-o', 'name'])).stdout).to.not.contain('raw');
  });

  it('the executor token is refused the same in another namespace, and on nodes, CRDs, tasks/status writes, Secrets, namespaces and RBAC', async () => {
    const other = ['-n', OTHER_NS];
    forbidden(
      await c.executor(['apply', '-f', '-', ...other], rawManifest('intruder')),
      /cannot (get|create|patch) resource "(configmaps|services|tasks)" .* in the namespace "other"/,
    );
    expect((await c.admin(['get', 'configmap,service,task', ...other, '-o', 'name'])).stdout).to.not.contain('intruder');
    forbidden(await c.executor(['get', 'tasks', ...other]), /cannot list resource "tasks" in API group "aliecs.alice.cern" in the namespace "other"/);
    forbidden(
      await c.executor(['patch', 'task', 'elsewhere', '--type=merge', '-p', '{"spec":{"state":"configured"}}', ...other]),
      /cannot (get|patch) resource "tasks"/,
    );
    forbidden(await c.executor(['delete', 'task', 'elsewhere', ...other]), /cannot delete resource "tasks"/);
    forbidden(await c.executor(['delete', 'configmap', 'elsewhere-config', ...other]), /cannot delete resource "configmaps"/);
    forbidden(await c.executor(['get', 'tasks', '-A']), /cannot list resource "tasks" in API group "aliecs.alice.cern" at the cluster scope/);

    // Nodes: the sandbox serves none, but the authorizer refuses before the router looks.
    forbidden(await c.executor(['get', '--raw', '/api/v1/nodes']), /cannot list resource "nodes" in API group "" at the cluster scope/);
    forbidden(await c.executor(['get', 'customresourcedefinitions']), /cannot list resource "customresourcedefinitions"/);
    forbidden(await c.executor(['apply', '-f', join(MANIFESTS, 'task-crd.yaml')]), /customresourcedefinitions/);
    forbidden(await c.executor(['delete', 'crd', 'tasks.aliecs.alice.cern']), /cannot delete resource "customresourcedefinitions"/);

    const own = await c.admin(['apply', '-n', TASK_NS, '-f', '-'], rawManifest('mine'));
    expect(own.code, own.stderr).to.equal(0);
    forbidden(
      await c.executor(['patch', 'task', 'mine', '--subresource=status', '--type=merge', '-p', '{"status":{"state":"running"}}', '-n', TASK_NS]),
      /cannot patch resource "tasks\/status" in API group "aliecs.alice.cern" in the namespace "o2-tasks"/,
    );
    forbidden(await c.executor(['get', 'secrets', '-n', TASK_NS]), /cannot list resource "secrets"/);
    forbidden(await c.executor(['get', 'secret', 'someone-elses', '-n', TASK_NS]), /cannot get resource "secrets"/);
    forbidden(await c.executor(['create', 'secret', 'generic', 'sneaky', '--from-literal=a=b', '-n', TASK_NS]), /cannot create resource "secrets"/);
    forbidden(await c.executor(['get', 'namespaces']), /cannot list resource "namespaces"/);
    forbidden(
      await c.executor([
        'create',
        'rolebinding',
        'escalate',
        '--clusterrole=cluster-admin',
        `--serviceaccount=${TASK_NS}:kubectl-task-executor`,
        '-n',
        TASK_NS,
      ]),
      /cannot create resource "rolebindings"/,
    );
    forbidden(await c.executor(['get', 'tasks', '--as=admin', '-n', TASK_NS]), /cannot impersonate resource "users"/);
    expect((await c.admin(['delete', 'task/mine', 'configmap/mine-config', 'service/mine-svc', '-n', TASK_NS])).code).to.equal(0);
  });

  describe('the product as the executor (node bin/kubectl-task.js --context executor, fake task manager)', () => {
    const conn = () => ['--kubeconfig', c.test.kubeconfig, '--context', 'executor', '-n', TASK_NS];
    const tpl = (name: string, file = WITH_SERVICE) => ['-f', file, '--env', `TASK_NAME=${name}`];

    it('launches a Task with a ConfigMap and a Service, reports its status and moves it through CONFIGURE and START, needing nothing beyond the Role', async () => {
      c.test.sandbox.requestLog.clear();
      const launched = await cli(c.env, ['launch', ...tpl('p1'), ...conn()]);
      expect(launched.code, launched.stderr).to.equal(0);
      expect(launched.stdout).to.match(
        /p1\s+TASK_STARTING\s+\[Applied\]\s+\(applied configmap\/p1-config, service\/p1-control, task\.v1alpha1\.aliecs\.alice\.cern\/p1\)/,
      );
      expect(launched.stdout).to.match(/p1\s+TASK_RUNNING\s+\(none\) → standby/);
      const configured = await cli(c.env, ['transition', 'CONFIGURE', ...tpl('p1'), '--arg', 'environment_id=E1', ...conn()]);
      expect(configured.code, configured.stderr).to.equal(0);
      expect(configured.stdout).to.match(/standby → configured/);
      const started = await cli(c.env, ['transition', 'START', ...tpl('p1'), ...conn()]);
      expect(started.code, started.stderr).to.equal(0);
      expect(started.stdout).to.match(/configured → running/);
      const status = await cli(c.env, ['status', '--task-id', 'p1', '-o', 'json', ...conn()]);
      expect(status.code, status.stderr).to.equal(0);
      expect(JSON.parse(status.stdout)).to.deep.include({ taskId: 'p1', desired: 'running', actual: 'running', executorState: 'TASK_RUNNING' });

      const mine = c.test.sandbox.requestLog.entries.filter((e) => e.user === EXECUTOR_USER);
      expect(
        mine.some((e) => e.verb === 'watch' && e.status === 200),
        'the monitor watched the Task',
      ).to.equal(true);
      // The only refusal is kubectl apply's optional look at the namespace (it goes on without it).
      const refused = mine.filter((e) => e.status === 403).map((e) => `${e.verb} ${e.path}`);
      expect([...new Set(refused)]).to.deep.equal([`get /api/v1/namespaces/${TASK_NS}`]);
      expect(c.test.sandbox.requestLog.entries.every((e) => e.user === EXECUTOR_USER || e.user === 'admin')).to.equal(true);
    });

    it('kills it: the Task, its ConfigMap and its Service are gone', async () => {
      const killed = await cli(c.env, ['kill', ...tpl('p1'), ...conn()]);
      expect(killed.code, killed.stderr).to.equal(0);
      expect(killed.stdout).to.match(/p1\s+TASK_KILLED/);
      expect((await c.admin(['get', 'task,configmap,service', '-n', TASK_NS, '-o', 'name'])).stdout).to.not.match(/p1/);
    });

    it('is refused in another namespace with a Forbidden error (exit 3), and applies nothing there', async () => {
      const r = await cli(c.env, ['launch', ...tpl('p2'), '--kubeconfig', c.test.kubeconfig, '--context', 'executor', '-n', OTHER_NS]);
      expect(r.code, r.stderr).to.equal(3);
      expect(r.stderr).to.match(/\[Forbidden\]/);
      expect(r.stderr).to.contain(`User "${EXECUTOR_USER}" cannot`);
      expect((await c.admin(['get', 'task,configmap,service', '-n', OTHER_NS, '-o', 'name'])).stdout).to.not.contain('p2');
    });
  });

  describe('the Secrets opt-in (manifests/executor-secrets-rbac.yaml)', () => {
    const conn = () => ['--kubeconfig', c.test.kubeconfig, '--context', 'executor', '-n', TASK_NS];
    const tpl = (name: string) => ['-f', WITH_SECRET, '--env', `TASK_NAME=${name}`, '--env', 'API_TOKEN=opt-in-test-value'];

    it('is not in the kustomization, and kustomize moves it to the kustomization namespace, RoleBinding subject included, when it is added', async () => {
      const kustomization = await readFile(join(MANIFESTS, 'kustomization.yaml'), 'utf8');
      expect(kustomization).to.not.match(/^\s*-\s*executor-secrets-rbac\.yaml/m);
      const copy = join(dir, 'kustomize');
      await execa('cp', ['-r', MANIFESTS, copy]);
      await writeFile(
        join(copy, 'kustomization.yaml'),
        kustomization.replace(/^namespace: o2-tasks$/m, 'namespace: tasks-b').replace(/^resources:$/m, 'resources:\n  - executor-secrets-rbac.yaml'),
      );
      const out = await execa(REAL_KUBECTL, ['kustomize', copy]);
      const docs = parseAllDocuments(out.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string }; subjects?: unknown });
      const binding = docs.find((d) => d.kind === 'RoleBinding' && d.metadata.name === 'kubectl-task-executor-secrets');
      expect(binding?.metadata.namespace).to.equal('tasks-b');
      expect(binding?.subjects).to.deep.equal([{ kind: 'ServiceAccount', name: 'kubectl-task-executor', namespace: 'tasks-b' }]);
    });

    it('without it: no right on Secrets, and a template with a Secret is refused at launch (exit 3 Forbidden) with nothing applied', async () => {
      expect(await secretRights(false, ['get', 'list', 'create', 'patch', 'delete'])).to.deep.equal([]);
      const r = await cli(c.env, ['launch', ...tpl('s0'), ...conn()]);
      expect(r.code, r.stderr).to.equal(3);
      expect(r.stderr).to.match(/cannot (get|create) resource "secrets"/);
      expect((await c.admin(['get', 'task,configmap,secret', '-n', TASK_NS, '-o', 'name'])).stdout).to.not.contain('s0');
    });

    it('the real kubectl needs only get, create, patch and delete for apply -f -, get -f - and delete of a Secret (list only for a lookup by label)', async () => {
      // A Role with exactly those verbs, in place of the opt-in, to see what each command asks.
      const byName = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secrets-by-name, namespace: ${TASK_NS}}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, create, patch, delete]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: secrets-by-name, namespace: ${TASK_NS}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secrets-by-name}
subjects: [{kind: ServiceAccount, name: kubectl-task-executor, namespace: ${TASK_NS}}]
`;
      expect((await c.admin(['apply', '-f', '-'], byName)).code).to.equal(0);
      try {
        const ns = ['-n', TASK_NS];
        c.test.sandbox.requestLog.clear();
        for (const step of [
          ['apply', '-f', '-'],
          ['apply', '-f', '-'],
          ['get', '-f', '-', '-o', 'json', '--ignore-not-found'],
          ['delete', '-f', '-', '--wait=true'],
          ['apply', '-f', '-'],
          ['apply', '--server-side', '-f', '-'],
          ['delete', 'secret/by-name', '--wait=true', '--ignore-not-found'],
        ]) {
          const r = await c.executor([...step, ...ns], SECRET('by-name'));
          expect(r.code, `kubectl ${step.join(' ')}: ${r.stderr}`).to.equal(0);
        }
        const verbs = new Set(c.test.sandbox.requestLog.entries.filter((e) => e.user === EXECUTOR_USER && e.path.includes('/secrets')).map((e) => e.verb));
        expect([...verbs].sort()).to.deep.equal(['create', 'delete', 'get', 'patch']);
        forbidden(await c.executor(['get', 'secrets', '-l', 'kubectl-task/task-id=x', ...ns]), /cannot list resource "secrets"/);
      } finally {
        await c.admin(['delete', '-f', '-', '--ignore-not-found'], byName);
      }
    });

    it('applied: exactly get, list, create, patch and delete of Secrets in o2-tasks, and the product launches, moves and kills a task with a Secret', async () => {
      const applied = await c.admin(['apply', '-f', SECRETS_OPT_IN]);
      expect(applied.code, applied.stderr).to.equal(0);
      expect(await secretRights(true, ['get', 'list', 'create', 'patch', 'delete'])).to.deep.equal([]);
      expect(await secretRights(false, ['watch', 'update', 'deletecollection'])).to.deep.equal([]);
      expect(
        await unexpectedAnswers([
          ['get', 'secrets', OTHER_NS, false],
          ['list', 'secrets', null, false],
        ]),
      ).to.deep.equal([]);

      const launched = await cli(c.env, ['launch', ...tpl('s1'), ...conn()]);
      expect(launched.code, launched.stderr).to.equal(0);
      expect(launched.stdout).to.match(/applied secret\/s1-creds, configmap\/s1-config, task\.v1alpha1\.aliecs\.alice\.cern\/s1/);
      const secret = JSON.parse((await c.admin(['get', 'secret', 's1-creds', '-n', TASK_NS, '-o', 'json'])).stdout) as { data: Record<string, string> };
      expect(Buffer.from(secret.data['token'] ?? '', 'base64').toString()).to.equal('opt-in-test-value');
      const configured = await cli(c.env, ['transition', 'CONFIGURE', ...tpl('s1'), ...conn()]);
      expect(configured.code, configured.stderr).to.equal(0);
      const killed = await cli(c.env, ['kill', ...tpl('s1'), ...conn()]);
      expect(killed.code, killed.stderr).to.equal(0);
      expect(killed.stdout).to.match(
        /s1\s+TASK_KILLED\s+\[Killed\]\s+\(deleted task\.v1alpha1\.aliecs\.alice\.cern\/s1, configmap\/s1-config, secret\/s1-creds\)/,
      );
      expect((await c.admin(['get', 'task,configmap,secret', '-n', TASK_NS, '-o', 'name'])).stdout).to.not.contain('s1');
    });

    it('deleted again: the rights on Secrets are gone at once', async () => {
      const removed = await c.admin(['delete', '-f', SECRETS_OPT_IN]);
      expect(removed.code, removed.stderr).to.equal(0);
      expect(await secretRights(false, ['get', 'list', 'create', 'patch', 'delete'])).to.deep.equal([]);
      forbidden(await c.executor(['get', 'secret', 'someone-elses', '-n', TASK_NS]), /cannot get resource "secrets"/);
    });
  });
});
