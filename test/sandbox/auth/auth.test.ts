import { expect } from 'chai';
import { startSandbox } from '../../../src/sandbox/index.ts';
import {
  ANONYMOUS_USER,
  DEFAULT_RULES,
  DEFAULT_USERS,
  createAuthenticator,
  createAuthorizer,
  forbiddenMessage,
  generateToken,
  parseServiceAccount,
  serviceAccountIdentity,
  taskReaderRules,
  type RequestAttributes,
} from '../../../src/sandbox/auth/auth.ts';

const executor = DEFAULT_USERS.executor;
const task = (verb: string, extra: Partial<RequestAttributes> = {}): RequestAttributes => ({
  verb,
  resource: 'tasks',
  apiGroup: 'aliecs.alice.cern',
  namespace: 'rec',
  name: 't1',
  ...extra,
});

describe('sandbox/auth/auth', () => {
  describe('createAuthenticator', () => {
    const authenticate = createAuthenticator({ 'admin-token-123': DEFAULT_USERS.admin, 'task-token-456': executor });

    it('maps bearer tokens to users', () => {
      expect(authenticate('Bearer admin-token-123')).to.equal(DEFAULT_USERS.admin);
      expect(authenticate('bearer task-token-456')).to.equal(executor);
    });

    it('rejects an unknown token and treats missing credentials as anonymous', () => {
      expect(authenticate('Bearer wrong-token')).to.equal('invalid');
      expect(authenticate('Bearer admin-token-12')).to.equal('invalid');
      expect(authenticate(undefined)).to.equal('anonymous');
      expect(authenticate('Basic YTpi')).to.equal('anonymous');
      expect(authenticate('Bearer ')).to.equal('anonymous');
    });
  });

  describe('createAuthorizer', () => {
    const can = createAuthorizer(DEFAULT_RULES);

    it('lets system:masters do anything', () => {
      expect(can(DEFAULT_USERS.admin, { verb: 'delete', resource: 'namespaces', apiGroup: '', name: 'rec', namespace: 'rec' })).to.equal(true);
    });

    it('applies the default executor rules, subresources included', () => {
      expect(can(executor, task('patch'))).to.equal(true);
      expect(can(executor, task('list', { name: undefined }))).to.equal(true);
      expect(can(executor, task('patch', { subresource: 'status' }))).to.equal(true);
      expect(can(executor, task('delete', { subresource: 'status' }))).to.equal(false);
      expect(can(executor, { verb: 'create', resource: 'configmaps', apiGroup: '', namespace: 'rec' })).to.equal(true);
      expect(can(executor, { verb: 'get', resource: 'namespaces', apiGroup: '', namespace: 'rec', name: 'rec' })).to.equal(true);
      expect(can(executor, { verb: 'delete', resource: 'namespaces', apiGroup: '', namespace: 'rec', name: 'rec' })).to.equal(false);
      expect(can(executor, { verb: 'get', resource: 'pods', apiGroup: '', namespace: 'rec' })).to.equal(false);
      expect(can(executor, task('get', { apiGroup: 'other.group' }))).to.equal(false);
    });

    it('limits namespaced grants to their namespaces and honours wildcards and groups', () => {
      const reader = createAuthorizer(taskReaderRules(['rec']));
      expect(reader(executor, task('get'))).to.equal(true);
      expect(reader(executor, task('get', { namespace: 'other' }))).to.equal(false);
      expect(reader(executor, task('list', { namespace: undefined, name: undefined }))).to.equal(false);
      expect(reader(executor, task('patch'))).to.equal(false);
      const wild = createAuthorizer({ ops: [{ verbs: ['*'], resources: ['*/status'], namespaces: '*' }] });
      const member = { name: 'bob', groups: ['ops'] };
      expect(wild(member, task('update', { subresource: 'status' }))).to.equal(true);
      expect(wild(member, task('update'))).to.equal(false);
    });

    it('opens discovery to authenticated users and /version to anyone', () => {
      const none = createAuthorizer({});
      expect(none(executor, { verb: 'get', resource: '', apiGroup: '', path: '/apis/aliecs.alice.cern/v1alpha1' })).to.equal(true);
      expect(none(ANONYMOUS_USER, { verb: 'get', resource: '', apiGroup: '', path: '/version' })).to.equal(true);
      expect(none(ANONYMOUS_USER, { verb: 'get', resource: '', apiGroup: '', path: '/api' })).to.equal(false);
    });
  });

  describe('forbiddenMessage', () => {
    it('matches recording 19 for patch and delete', () => {
      expect(forbiddenMessage(executor, task('patch'))).to.equal(
        'tasks.aliecs.alice.cern "t1" is forbidden: User "task-executor" cannot patch resource "tasks" in API group "aliecs.alice.cern" in the namespace "rec"',
      );
      expect(forbiddenMessage(executor, task('delete'))).to.equal(
        'tasks.aliecs.alice.cern "t1" is forbidden: User "task-executor" cannot delete resource "tasks" in API group "aliecs.alice.cern" in the namespace "rec"',
      );
    });

    it('words list, cluster scope, core group, subresource and path variants', () => {
      expect(forbiddenMessage(executor, task('list', { name: undefined }))).to.equal(
        'tasks.aliecs.alice.cern is forbidden: User "task-executor" cannot list resource "tasks" in API group "aliecs.alice.cern" in the namespace "rec"',
      );
      expect(forbiddenMessage(executor, task('list', { name: undefined, namespace: undefined }))).to.equal(
        'tasks.aliecs.alice.cern is forbidden: User "task-executor" cannot list resource "tasks" in API group "aliecs.alice.cern" at the cluster scope',
      );
      expect(forbiddenMessage(executor, { verb: 'get', resource: 'namespaces', apiGroup: '', name: 'rec', namespace: 'rec' })).to.equal(
        'namespaces "rec" is forbidden: User "task-executor" cannot get resource "namespaces" in API group "" in the namespace "rec"',
      );
      expect(forbiddenMessage(executor, task('patch', { subresource: 'status' }))).to.equal(
        'tasks.aliecs.alice.cern "t1" is forbidden: User "task-executor" cannot patch resource "tasks/status" in API group "aliecs.alice.cern" in the namespace "rec"',
      );
      expect(forbiddenMessage(ANONYMOUS_USER, { verb: 'get', resource: '', apiGroup: '', path: '/api' })).to.equal(
        'forbidden: User "system:anonymous" cannot get path "/api"',
      );
    });
  });

  describe('an executor that is a ServiceAccount (startSandbox executor: { serviceAccount })', () => {
    it('is the service account token identity, parsed from NS/NAME or its user name', () => {
      expect(serviceAccountIdentity('o2-tasks', 'kubectl-task-executor')).to.deep.equal({
        name: 'system:serviceaccount:o2-tasks:kubectl-task-executor',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:o2-tasks'],
      });
      expect(parseServiceAccount('o2-tasks/kubectl-task-executor')).to.deep.equal({ namespace: 'o2-tasks', name: 'kubectl-task-executor' });
      expect(parseServiceAccount('system:serviceaccount:ns:sa')).to.deep.equal({ namespace: 'ns', name: 'sa' });
      for (const bad of ['executor', 'a/b/c', '/x', 'NS/x', 'system:serviceaccount:ns', 'ns/x y']) {
        expect(() => parseServiceAccount(bad), bad).to.throw(TypeError, /expected NAMESPACE\/NAME/);
      }
    });

    it('has no static rule: only what stored RoleBindings grant it, in their namespace; the other contexts keep theirs', async () => {
      const sb = await startSandbox({ tls: false, auth: 'required', namespace: 'o2-tasks', executor: { serviceAccount: 'o2-tasks/kubectl-task-executor' } });
      try {
        const get = async (context: string, path: string) => {
          const res = await fetch(`${sb.url}${path}`, { headers: { authorization: `Bearer ${sb.tokens[context] ?? ''}` } });
          return { status: res.status, body: (await res.json()) as { message?: string } };
        };
        const configmaps = '/api/v1/namespaces/o2-tasks/configmaps';
        const denied = await get('executor', configmaps);
        expect(denied.status).to.equal(403);
        expect(denied.body.message).to.equal(
          'configmaps is forbidden: User "system:serviceaccount:o2-tasks:kubectl-task-executor" cannot list resource "configmaps" in API group "" in the namespace "o2-tasks"',
        );
        expect((await get('admin', configmaps)).status).to.equal(200);
        sb.store.put({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'r', namespace: 'o2-tasks' },
          rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }],
        });
        sb.store.put({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'r', namespace: 'o2-tasks' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
          subjects: [{ kind: 'ServiceAccount', name: 'kubectl-task-executor', namespace: 'o2-tasks' }],
        });
        expect((await get('executor', configmaps)).status).to.equal(200);
        expect((await get('executor', '/api/v1/namespaces/default/configmaps')).status).to.equal(403);
      } finally {
        await sb.close();
      }
    });

    it('leaves the default executor (task-executor with DEFAULT_RULES) as it was', async () => {
      const sb = await startSandbox({ tls: false, auth: 'required' });
      try {
        const res = await fetch(`${sb.url}/api/v1/namespaces/anywhere/configmaps`, { headers: { authorization: `Bearer ${sb.tokens['executor'] ?? ''}` } });
        expect(res.status).to.equal(200);
      } finally {
        await sb.close();
      }
    });
  });

  it('generates long random tokens', () => {
    const a = generateToken();
    expect(a).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).to.not.equal(a);
  });
});
