import { expect } from 'chai';
import { connect } from 'node:net';
import { startSandbox } from '../../../src/sandbox/index.ts';
import { client, sandboxPerTest, type Call } from '../sandbox-client.ts';
import { startTestSandbox } from '../../helpers/sandbox.ts';

const TASK = '/apis/aliecs.alice.cern/v1alpha1/namespaces/test/tasks/t1';

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

describe('sandbox HTTP front', function () {
  this.timeout(20_000);
  const ctx = sandboxPerTest({ crd: 'project' });
  const call: Call = (method, path, options) => ctx.call(method, path, options);

  it('answers 401 Unauthorized on every path for an unknown token', async () => {
    for (const path of ['/version', '/api', TASK]) {
      const r = await call('GET', path, { token: 'wrong-token' });
      expect(r.status).to.equal(401);
      expect(r.text).to.equal(
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}\n',
      );
    }
  });

  it('lets anonymous requests read /version and health checks only (403 elsewhere)', async () => {
    for (const path of ['/version', '/healthz', '/livez', '/readyz']) {
      const r = await call('GET', path, { token: null });
      expect(r.status, path).to.equal(200);
    }
    const api = await call('GET', '/api', { token: null });
    expect(api.status).to.equal(403);
    expect(api.text).to.equal(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"forbidden: User \\"system:anonymous\\" cannot get path \\"/api\\"","reason":"Forbidden","details":{},"code":403}\n',
    );
    const list = await call('GET', '/api/v1/namespaces/test/configmaps', { token: null });
    expect(list.status).to.equal(403);
    expect(list.json['message']).to.equal(
      'configmaps is forbidden: User "system:anonymous" cannot list resource "configmaps" in API group "" in the namespace "test"',
    );
    const empty = await call('GET', TASK, { headers: { authorization: '' }, token: null });
    expect(empty.status).to.equal(403);
  });

  it('answers 403 with the apiserver wording when the rules do not allow the verb', async () => {
    const other = await startSandbox({
      rules: { 'task-executor': [{ verbs: ['get'], resources: ['tasks'], apiGroups: ['aliecs.alice.cern'], namespaces: '*' }] },
    });
    try {
      const r = await client(other, 'executor')('DELETE', '/api/v1/namespaces/default/configmaps/x');
      expect(r.status).to.equal(403);
      expect(r.json['message']).to.equal(
        'configmaps "x" is forbidden: User "task-executor" cannot delete resource "configmaps" in API group "" in the namespace "default"',
      );
      expect(r.json['details']).to.deep.equal({ name: 'x', kind: 'configmaps' });
    } finally {
      await other.close();
    }
  });

  it('answers SelfSubjectAccessReviews (kubectl auth can-i) with the same rules', async () => {
    const review = (verb: string, resource: string, group: string) =>
      client(ctx.sandbox, 'executor')('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { verb, resource, group, namespace: 'test' } },
        },
      });
    const yes = await review('patch', 'tasks', 'aliecs.alice.cern');
    expect(yes.status).to.equal(201);
    expect(yes.json['status']).to.deep.equal({ allowed: true });
    expect((await review('list', 'namespaces', '')).json['status']).to.deep.equal({ allowed: false });
  });

  it('serves /version as indented JSON without a final newline', async () => {
    const r = await call('GET', '/version');
    expect(r.text.startsWith('{\n  "major": "1",\n  "minor": "26",\n  "gitVersion": "v1.26.1"')).to.equal(true);
    expect(r.text.endsWith('}')).to.equal(true);
  });

  it('serves legacy discovery with the CRD group and its resources', async () => {
    const api = await call('GET', '/api');
    expect(api.json['kind']).to.equal('APIVersions');
    const groups = (await call('GET', '/apis')).json['groups'] as { name: string }[];
    expect(groups.map((g) => g.name)).to.include.members(['rbac.authorization.k8s.io', 'apiextensions.k8s.io', 'aliecs.alice.cern']);
    const list = await call('GET', '/apis/aliecs.alice.cern/v1alpha1');
    expect(list.json['resources']).to.deep.equal([
      {
        name: 'tasks',
        singularName: 'task',
        namespaced: true,
        kind: 'Task',
        verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
        storageVersionHash: 'DT9Tte4n0q8=',
      },
      { name: 'tasks/status', singularName: '', namespaced: true, kind: 'Task', verbs: ['get', 'patch', 'update'] },
    ]);
  });

  it('serves OpenAPI v3 with immutable hashed documents and revalidation', async () => {
    const root = await call('GET', '/openapi/v3');
    expect(root.headers['content-type']).to.equal('text/plain; charset=utf-8');
    const url = (root.json['paths'] as Record<string, { serverRelativeURL: string }>)['apis/aliecs.alice.cern/v1alpha1']!.serverRelativeURL;
    const doc = await call('GET', url);
    expect(doc.headers['cache-control']).to.equal('public, immutable');
    const paths = doc.json['paths'] as Record<string, { patch?: { parameters: { name: string }[] } }>;
    const patch = paths['/apis/aliecs.alice.cern/v1alpha1/namespaces/{namespace}/tasks/{name}']!.patch!;
    expect(patch.parameters.map((p) => p.name)).to.include('fieldValidation');
    const again = await call('GET', url, { headers: { 'if-none-match': String(doc.headers['etag']) } });
    expect(again.status).to.equal(304);
    const notModified = await call('GET', '/openapi/v3', { headers: { 'if-modified-since': String(root.headers['last-modified']) } });
    expect(notModified.status).to.equal(304);
  });

  it('moves the OpenAPI root forward when a CRD is added, even within the same second', async () => {
    const before = await call('GET', '/openapi/v3');
    ctx.sandbox.store.put({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Widget', plural: 'widgets' },
        scope: 'Namespaced',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    });
    const after = await call('GET', '/openapi/v3', { headers: { 'if-modified-since': String(before.headers['last-modified']) } });
    expect(after.status).to.equal(200);
    expect(Object.keys(after.json['paths'] as object)).to.include('apis/example.com/v1');
    const created = await call('POST', '/apis/example.com/v1/namespaces/test/widgets', {
      body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, anything: 1 },
    });
    expect(created.status).to.equal(201);
    expect(created.json['anything']).to.equal(1);
  });

  it('fails the next matching requests with a Status and Retry-After, and logs them', async () => {
    ctx.sandbox.faults.failNext({ count: 2, status: 429, method: 'GET', path: /\/tasks\//, retryAfterSeconds: 3 });
    const first = await call('GET', TASK);
    expect(first.status).to.equal(429);
    expect(first.headers['retry-after']).to.equal('3');
    expect(first.json['reason']).to.equal('TooManyRequests');
    expect((await call('GET', TASK)).status).to.equal(429);
    expect((await call('GET', TASK)).status).to.equal(404);
    expect(ctx.sandbox.requestLog.count({ method: 'GET', path: TASK })).to.equal(3);
    expect(ctx.sandbox.requestLog.entries.at(-1)).to.include({ status: 404, user: 'admin', verb: 'get' });
    ctx.sandbox.faults.failNext({ count: 1, status: 503 });
    expect((await call('GET', '/api')).status).to.equal(503);
    ctx.sandbox.faults.reset();
  });

  it('adds latency to matching requests only, through the injected sleep', async () => {
    const sleeps: number[] = [];
    const own = await startTestSandbox({ crd: 'none', sleep: async (ms) => void sleeps.push(ms) });
    try {
      own.sandbox.faults.addLatency(300, { path: '/api' });
      await client(own.sandbox)('GET', '/api');
      await client(own.sandbox)('GET', '/version');
      expect(sleeps).to.deep.equal([300]);
    } finally {
      await own.cleanup();
    }
  });

  it('refuses connections for a while, then listens on the same port again', async () => {
    // The outage lasts until the test releases the injected sleep, so the refusal is checked inside it.
    let release: (() => void) | undefined;
    const own = await startTestSandbox({ crd: 'none', sleep: () => new Promise<void>((r) => (release = r)) });
    try {
      const port = Number(new URL(own.sandbox.url).port);
      const outage = own.sandbox.faults.refuseConnections(300);
      const deadline = Date.now() + 10_000;
      while (release === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(release, 'the outage started').to.be.a('function');
      expect(await refused(port)).to.equal(true);
      release!();
      await outage;
      expect((await client(own.sandbox)('GET', '/version')).status).to.equal(200);
      expect(own.sandbox.url).to.equal(`https://127.0.0.1:${port}`);
    } finally {
      await own.cleanup();
    }
  });

  it('treats every request as admin over plain HTTP', async () => {
    const plain = await startSandbox({ tls: false });
    try {
      expect(plain.url.startsWith('http://127.0.0.1:')).to.equal(true);
      expect(plain.caPem).to.equal(undefined);
      const r = await client(plain)('GET', '/api/v1/namespaces/default', { token: null });
      expect(r.status).to.equal(200);
    } finally {
      await plain.close();
    }
  });
});
