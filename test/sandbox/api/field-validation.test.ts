import { expect } from 'chai';
import { Kubectl } from '../../../src/kubectl/runner.ts';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox.ts';
import { client } from '../sandbox-client.ts';

const CM = '/api/v1/namespaces/test/configmaps';
const configMap = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data: { a: 'b' },
  ...extra,
});

describe('sandbox fieldValidation and decoding of built-in kinds', function () {
  this.timeout(20_000);
  let t: TestSandbox;
  let call: ReturnType<typeof client>;

  beforeEach(async () => {
    t = await startTestSandbox({ crd: 'none' });
    call = client(t.sandbox);
  });
  afterEach(() => t.cleanup());

  it('Strict rejects unknown top-level and nested fields of a ConfigMap and a Service', async () => {
    const cm = await call('POST', `${CM}?fieldValidation=Strict`, { body: configMap('a', { foo: 1, metadata: { name: 'a', bogus: 'x' } }) });
    expect(cm.status).to.equal(400);
    expect(cm.json['message']).to.equal(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "foo", unknown field "metadata.bogus"',
    );
    const svc = await call('POST', '/api/v1/namespaces/test/services?fieldValidation=Strict', {
      body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, bar: 1 }], baz: true } },
    });
    expect(svc.status).to.equal(400);
    expect(svc.json['message']).to.equal(
      'Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.baz", unknown field "spec.ports[0].bar"',
    );
    const binding = await call('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/test/rolebindings?fieldValidation=Strict', {
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'rb' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r', x: 1 },
        subjects: [],
      },
    });
    expect(binding.json['message']).to.equal(
      'RoleBinding in version "v1" cannot be handled as a RoleBinding: strict decoding error: unknown field "roleRef.x"',
    );
  });

  it('Warn stores the pruned object and sends one warning per unknown field', async () => {
    const r = await call('POST', `${CM}?fieldValidation=Warn`, { body: configMap('a', { foo: 1 }) });
    expect(r.status).to.equal(201);
    expect(r.headers['warning']).to.equal('299 - "unknown field \\"foo\\""');
    expect(r.json).to.not.have.property('foo');
  });

  it('Ignore stores the pruned object silently', async () => {
    const r = await call('POST', `${CM}?fieldValidation=Ignore`, { body: configMap('a', { foo: 1 }) });
    expect(r.status).to.equal(201);
    expect(r.headers['warning']).to.equal(undefined);
    expect(r.json).to.not.have.property('foo');
    expect((await call('GET', `${CM}/a`)).json).to.not.have.property('foo');
  });

  it("rejects Secret data (and ConfigMap binaryData) that is no base64 with base64's own error, naming the byte", async () => {
    const secret = (name: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, data });
    const bad = await call('POST', '/api/v1/namespaces/test/secrets', { body: secret('s1', { ok: 'c2VjcmV0', key: 'not base64!' }) });
    expect(bad.status).to.equal(400);
    expect(bad.json['reason']).to.equal('BadRequest');
    expect(bad.json['message']).to.equal('Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3');
    const unpadded = await call('POST', '/api/v1/namespaces/test/secrets', { body: secret('s2', { key: 'c2VjcmV0Cg' }) });
    expect(unpadded.json['message']).to.equal('Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 8');
    const good = await call('POST', '/api/v1/namespaces/test/secrets', { body: secret('s3', { key: 'c2Vj\ncmV0', empty: '' }) });
    expect(good.status).to.equal(201);
    const binary = await call('POST', CM, { body: configMap('bin', { binaryData: { b: '=AAA' } }) });
    expect(binary.json['message']).to.equal('ConfigMap in version "v1" cannot be handled as a ConfigMap: illegal base64 data at input byte 0');
  });

  it('rejects values of the wrong type with the JSON decoder wording', async () => {
    const data = await call('POST', CM, { body: configMap('a', { data: { a: 1 } }) });
    expect(data.status).to.equal(400);
    expect(data.json['reason']).to.equal('BadRequest');
    expect(data.json['message']).to.equal(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string',
    );
    const label = await call('POST', CM, { body: configMap('b', { metadata: { name: 'b', labels: { x: true } } }) });
    expect(label.json['message']).to.equal(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string',
    );
    const port = await call('POST', '/api/v1/namespaces/test/services', {
      body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: '80' }] } },
    });
    expect(port.json['message']).to.equal(
      'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32',
    );
    const patch = await call('PATCH', `${CM}/a`, { body: { data: { a: 1 } }, contentType: 'application/merge-patch+json' });
    expect(patch.status).to.equal(404);
    await call('POST', CM, { body: configMap('a') });
    const badPatch = await call('PATCH', `${CM}/a`, { body: { data: { a: 1 } }, contentType: 'application/merge-patch+json' });
    expect(badPatch.status).to.equal(422);
    expect(String(badPatch.json['message'])).to.match(
      /^ "" is invalid: patch: Invalid value: ".*": json: cannot unmarshal number into Go struct field ConfigMap\.data of type string$/,
    );
  });

  it('accepts the fields a full object of each kind carries', async () => {
    const ok = [
      [
        '/api/v1/namespaces/test/secrets',
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', labels: { a: 'b' } }, type: 'Opaque', stringData: { k: 'v' } },
      ],
      ['/api/v1/namespaces/test/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' }, imagePullSecrets: [{ name: 'x' }] }],
      [
        '/apis/rbac.authorization.k8s.io/v1/namespaces/test/roles',
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'r' },
          rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
        },
      ],
      [
        '/api/v1/namespaces/test/pods',
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox', livenessProbe: {} }] } },
      ],
    ] as const;
    for (const [path, body] of ok) {
      const r = await call('POST', `${path}?fieldValidation=Strict`, { body });
      expect(r.status, `${path}: ${r.text}`).to.equal(201);
    }
  });

  it('kubectl create of each built-in kind passes Strict decoding with no warning (real kubectl, JSON and protobuf)', async () => {
    const kubectl = new Kubectl({ kubeconfig: t.sandbox.kubeconfigPath, context: 'admin', namespace: 'test', timeoutMs: 30_000, env: t.env });
    const commands = [
      ['create', 'namespace', 'x1'],
      ['create', 'configmap', 'c1', '--from-literal=a=b'],
      ['create', 'secret', 'generic', 's1', '--from-literal=a=b'],
      ['create', 'service', 'clusterip', 'svc1', '--tcp=80:8080'],
      ['create', 'serviceaccount', 'sa1'],
      ['create', 'role', 'r1', '--verb=get', '--resource=pods'],
      ['create', 'rolebinding', 'rb1', '--role=r1', '--user=u', '--serviceaccount=test:sa1', '--group=g'],
      ['run', 'p1', '--image=busybox', '--restart=Never'],
    ];
    for (const argv of commands) {
      const r = await kubectl.tryRun(argv);
      expect({ exitCode: r.exitCode, stderr: r.stderr }, argv.join(' ')).to.deep.equal({ exitCode: 0, stderr: '' });
    }
    const wide = await kubectl.tryRun(['get', 'rolebindings', '-o', 'wide']);
    expect(wide.stdout.replace(/ +/g, ' ')).to.match(/^NAME ROLE AGE USERS GROUPS SERVICEACCOUNTS\nrb1 Role\/r1 \S+ u g test\/sa1\n$/);
    expect((await kubectl.tryRun(['get', 'roles'])).stdout.replace(/ +/g, ' ')).to.match(/^NAME CREATED AT\nr1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
  });
});
