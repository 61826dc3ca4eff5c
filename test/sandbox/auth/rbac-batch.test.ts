/**
 * RBAC from stored objects and impersonation, beyond what recording batch/34 shows: ClusterRoles
 * and ClusterRoleBindings, group and service-account subjects, who may impersonate, and the rules
 * review for them. Runs without the reference recordings.
 */
import { expect } from 'chai';
import { runKubectl } from '../../helpers/sandbox.ts';
import { sandboxPerTest, type Call } from '../sandbox-client.ts';

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const REVIEWS = '/apis/authorization.k8s.io/v1';
const tasksRule = (verbs: string[]) => ({ apiGroups: ['aliecs.alice.cern'], resources: ['tasks'], verbs });

describe('sandbox RBAC from stored objects and impersonation', function () {
  this.timeout(30_000);
  // No static grants: what users may do comes from the stored objects and the bootstrap roles.
  const ctx = sandboxPerTest({ crd: 'project', rules: {} });
  const call: Call = (method, path, options) => ctx.call(method, path, options);
  const as = (user: string, groups: string[] = []) => ({
    headers: { 'impersonate-user': user, ...(groups.length > 0 ? { 'impersonate-group': groups.join(',') } : {}) },
  });
  const can = async (user: string, attrs: Record<string, string>, groups: string[] = []): Promise<boolean> => {
    const res = await call('POST', `${REVIEWS}/selfsubjectaccessreviews`, {
      body: { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec: { resourceAttributes: attrs } },
      ...as(user, groups),
    });
    expect(res.status).to.equal(201);
    return (res.json['status'] as { allowed: boolean }).allowed;
  };

  it('grants a ClusterRole bound by a ClusterRoleBinding to a group in every namespace, and names the binding', async () => {
    await call('POST', `${RBAC}/clusterroles`, {
      body: { kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'task-reader' }, rules: [tasksRule(['get', 'list'])] },
    });
    await call('POST', `${RBAC}/clusterrolebindings`, {
      body: {
        kind: 'ClusterRoleBinding',
        apiVersion: 'rbac.authorization.k8s.io/v1',
        metadata: { name: 'ops-read' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'task-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'ops' }],
      },
    });
    expect(await can('alice', { verb: 'list', group: 'aliecs.alice.cern', resource: 'tasks', namespace: 'anywhere' }, ['ops'])).to.equal(true);
    expect(await can('alice', { verb: 'list', group: 'aliecs.alice.cern', resource: 'tasks' }, ['ops']), 'cluster scope too').to.equal(true);
    expect(await can('alice', { verb: 'delete', group: 'aliecs.alice.cern', resource: 'tasks', namespace: 'test' }, ['ops'])).to.equal(false);
    expect(await can('alice', { verb: 'list', group: 'aliecs.alice.cern', resource: 'tasks', namespace: 'test' }), 'not in the group').to.equal(false);
    const review = await call('POST', `${REVIEWS}/selfsubjectaccessreviews`, {
      body: { spec: { resourceAttributes: { verb: 'get', group: 'aliecs.alice.cern', resource: 'tasks', namespace: 'test' } } },
      ...as('alice', ['ops']),
    });
    expect(review.json['status']).to.deep.equal({
      allowed: true,
      reason: 'RBAC: allowed by ClusterRoleBinding "ops-read" of ClusterRole "task-reader" to Group "ops"',
    });
    const listed = await call('GET', '/apis/aliecs.alice.cern/v1alpha1/namespaces/test/tasks', as('alice', ['ops']));
    expect(listed.status).to.equal(200);
  });

  it('binds a ClusterRole in one namespace with a RoleBinding, and service accounts of that namespace without naming it', async () => {
    await call('POST', `${RBAC}/clusterroles`, {
      body: { kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'task-runner' }, rules: [tasksRule(['*'])] },
    });
    await call('POST', `${RBAC}/namespaces/test/rolebindings`, {
      body: {
        kind: 'RoleBinding',
        apiVersion: 'rbac.authorization.k8s.io/v1',
        metadata: { name: 'runner' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'task-runner' },
        subjects: [{ kind: 'ServiceAccount', name: 'executor' }],
      },
    });
    const sa = 'system:serviceaccount:test:executor';
    expect(await can(sa, { verb: 'patch', group: 'aliecs.alice.cern', resource: 'tasks', namespace: 'test' })).to.equal(true);
    expect(await can(sa, { verb: 'patch', group: 'aliecs.alice.cern', resource: 'tasks', namespace: 'default' })).to.equal(false);
    expect(await can('system:serviceaccount:other:executor', { verb: 'patch', group: 'aliecs.alice.cern', resource: 'tasks', namespace: 'test' })).to.equal(
      false,
    );
  });

  it('lets only users allowed to impersonate do so, with the apiserver wording', async () => {
    const denied = await call('GET', '/apis/aliecs.alice.cern/v1alpha1/namespaces/test/tasks', {
      token: ctx.sandbox.tokens['executor'] ?? null,
      ...as('admin'),
    });
    expect(denied.status).to.equal(403);
    expect(denied.json['message']).to.equal(
      'users "admin" is forbidden: User "task-executor" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    await call('POST', `${RBAC}/clusterroles`, {
      body: {
        kind: 'ClusterRole',
        apiVersion: 'rbac.authorization.k8s.io/v1',
        metadata: { name: 'impersonator' },
        rules: [{ apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: ['bob'] }],
      },
    });
    await call('POST', `${RBAC}/clusterrolebindings`, {
      body: {
        kind: 'ClusterRoleBinding',
        apiVersion: 'rbac.authorization.k8s.io/v1',
        metadata: { name: 'impersonator' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'impersonator' },
        subjects: [{ kind: 'User', name: 'task-executor' }],
      },
    });
    const asBob = await call('GET', '/apis/aliecs.alice.cern/v1alpha1/namespaces/test/tasks', { token: ctx.sandbox.tokens['executor'] ?? null, ...as('bob') });
    expect(asBob.status, 'allowed to impersonate bob, who may not list').to.equal(403);
    expect(asBob.json['message']).to.equal(
      'tasks.aliecs.alice.cern is forbidden: User "bob" cannot list resource "tasks" in API group "aliecs.alice.cern" in the namespace "test"',
    );
    const withGroup = await call('GET', '/apis/aliecs.alice.cern/v1alpha1/namespaces/test/tasks', {
      token: ctx.sandbox.tokens['executor'] ?? null,
      ...as('bob', ['ops']),
    });
    expect(withGroup.json['message']).to.equal(
      'groups "ops" is forbidden: User "task-executor" cannot impersonate resource "groups" in API group "" at the cluster scope',
    );
  });

  it('answers access reviews only to authenticated users, and non-resource reviews from the bootstrap roles', async () => {
    const anonymous = await call('POST', `${REVIEWS}/selfsubjectaccessreviews`, {
      token: null,
      body: { spec: { nonResourceAttributes: { path: '/version', verb: 'get' } } },
    });
    expect(anonymous.status).to.equal(403);
    const version = await call('POST', `${REVIEWS}/selfsubjectaccessreviews`, {
      body: { spec: { nonResourceAttributes: { path: '/apis/x', verb: 'get' } } },
      ...as('carol'),
    });
    expect(version.json['status']).to.deep.equal({
      allowed: true,
      reason: 'RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated"',
    });
    const metrics = await call('POST', `${REVIEWS}/selfsubjectaccessreviews`, {
      body: { spec: { nonResourceAttributes: { path: '/metrics', verb: 'get' } } },
      ...as('carol'),
    });
    expect(metrics.json['status']).to.deep.equal({ allowed: false });
  });

  it('kubectl auth can-i --list shows the rules of the ClusterRoleBinding and of the RoleBinding in that namespace', async () => {
    await call('POST', `${RBAC}/clusterroles`, {
      body: {
        kind: 'ClusterRole',
        apiVersion: 'rbac.authorization.k8s.io/v1',
        metadata: { name: 'cm-reader' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['settings'] }],
      },
    });
    await call('POST', `${RBAC}/clusterrolebindings`, {
      body: {
        kind: 'ClusterRoleBinding',
        apiVersion: 'rbac.authorization.k8s.io/v1',
        metadata: { name: 'cm-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cm-reader' },
        subjects: [{ kind: 'User', name: 'dave' }],
      },
    });
    await call('POST', `${RBAC}/namespaces/test/roles`, {
      body: { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'watcher' }, rules: [tasksRule(['watch'])] },
    });
    await call('POST', `${RBAC}/namespaces/test/rolebindings`, {
      body: {
        kind: 'RoleBinding',
        apiVersion: 'rbac.authorization.k8s.io/v1',
        metadata: { name: 'watcher' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'watcher' },
        subjects: [{ kind: 'User', name: 'dave' }],
      },
    });
    const list = await runKubectl(ctx.test.env, ['auth', 'can-i', '--list', '--as=dave', '-n', 'test']);
    expect(list.code, list.stderr).to.equal(0);
    const rows = list.stdout
      .split('\n')
      .filter((l) => !l.startsWith(' ') && l.trim() !== '')
      .map((l) => l.split(/\s{2,}/).join('|'));
    expect(rows).to.deep.equal([
      'Resources|Non-Resource URLs|Resource Names|Verbs',
      'selfsubjectaccessreviews.authorization.k8s.io|[]|[]|[create]',
      'selfsubjectrulesreviews.authorization.k8s.io|[]|[]|[create]',
      'configmaps|[]|[settings]|[get]',
      'tasks.aliecs.alice.cern|[]|[]|[watch]',
    ]);
    const elsewhere = await runKubectl(ctx.test.env, ['auth', 'can-i', '--list', '--as=dave', '-n', 'default']);
    expect(elsewhere.stdout).to.not.contain('tasks.aliecs.alice.cern');
    expect(elsewhere.stdout).to.contain('configmaps');
  });
});
