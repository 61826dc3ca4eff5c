/**
 * Error messages as kube-apiserver 1.26.1 words them (kubernetes/apiserver, apimachinery and
 * apiextensions-apiserver at kubernetes-1.26.1 / v0.26.1), where the sandbox used to word them
 * like a later release or in its own words. Through the real kubectl where kubectl shows the
 * message, else over HTTP. Each test names the upstream function the wording comes from.
 */
import { expect } from 'chai';
import { runKubectl, startTestSandbox, type KubectlRun, type TestSandbox } from '../helpers/sandbox.ts';
import { client, type Call } from './sandbox-client.ts';

const NS = 'msgs';
const TASKS = `/apis/aliecs.alice.cern/v1alpha1/namespaces/${NS}/tasks`;

const task = (name: string, spec = '{state: standby}') => `apiVersion: aliecs.alice.cern/v1alpha1\nkind: Task\nmetadata: {name: ${name}}\nspec: ${spec}\n`;

describe('sandbox fidelity: 1.26 error messages', function () {
  this.timeout(60_000);
  let test: TestSandbox;
  let call: Call;
  before(async () => {
    test = await startTestSandbox({ namespace: NS, tls: false });
    call = client(test.sandbox);
  });
  after(async () => {
    await test?.cleanup();
  });

  const kubectl = (args: string[], stdin = ''): Promise<KubectlRun> => runKubectl(test.env, ['--context', 'admin', ...args], stdin);

  /** kubectl get's wording around a list the server refused (400). */
  const unableToFind = (resource: string, labels: string, fields: string, why: string) =>
    `Error from server (BadRequest): Unable to find "${resource}" that match label selector "${labels}", field selector "${fields}": ${why}\n`;
  const TASKS_GVR = 'aliecs.alice.cern/v1alpha1, Resource=tasks';

  describe('field selectors', () => {
    it('custom resources: the apiextensions crConverter\'s "field label not supported" (not 1.30\'s "is not a known field selector")', async () => {
      const got = await kubectl(['-n', NS, 'get', 'tasks', '--field-selector', 'spec.state=running']);
      expect(got).to.deep.equal({ code: 1, stdout: '', stderr: unableToFind(TASKS_GVR, '', 'spec.state=running', 'field label not supported: spec.state') });
    });

    it('built-in kinds without a conversion function: runtime.DefaultMetaV1FieldSelectorConversion', async () => {
      const cm = await kubectl(['-n', NS, 'get', 'configmaps', '--field-selector', 'data.x=y']);
      expect(cm.stderr).to.equal(
        unableToFind('/v1, Resource=configmaps', '', 'data.x=y', '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"'),
      );
      // Service field selectors came with 1.30.
      const svc = await kubectl(['-n', NS, 'get', 'services', '--field-selector', 'spec.type=ClusterIP']);
      expect(svc.stderr).to.equal(
        unableToFind(
          '/v1, Resource=services',
          '',
          'spec.type=ClusterIP',
          '"spec.type" is not a known field selector: only "metadata.name", "metadata.namespace"',
        ),
      );
    });

    it('built-in kinds with one: their own list (Namespace has no metadata.namespace; Pod keeps the legacy spec.host)', async () => {
      const ns = await kubectl(['get', 'namespaces', '--field-selector', 'metadata.namespace=x']);
      expect(ns.stderr).to.equal(unableToFind('/v1, Resource=namespaces', '', 'metadata.namespace=x', 'field label not supported: metadata.namespace'));
      expect((await kubectl(['-n', NS, 'get', 'pods', '--field-selector', 'spec.host=x'])).stderr).to.equal(`No resources found in ${NS} namespace.\n`);
      expect((await kubectl(['-n', NS, 'get', 'events', '--field-selector', 'source=kubelet,reportingComponent=x'])).stderr).to.equal(
        `No resources found in ${NS} namespace.\n`,
      );
    });

    it('parse errors of fields.ParseSelector: an unescaped = in a value, a bad escape', async () => {
      const eq = await kubectl(['-n', NS, 'get', 'tasks', '--field-selector', 'metadata.name=a=b']);
      expect(eq.stderr).to.equal(unableToFind(TASKS_GVR, '', 'metadata.name=a=b', 'invalid field selector: unescaped character in value: 61'));
      const esc = await kubectl(['-n', NS, 'get', 'tasks', '--field-selector', 'metadata.name=a\\x']);
      // kubectl quotes the selector (%q): the backslash shows doubled.
      expect(esc.stderr).to.equal(unableToFind(TASKS_GVR, '', 'metadata.name=a\\\\x', 'invalid field selector: invalid escape sequence: \\x'));
    });
  });

  describe('label selectors', () => {
    const NAME_PART =
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    const VALUE =
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
    const refused = async (selector: string, why: string) => {
      const got = await kubectl(['-n', NS, 'get', 'tasks', '-l', selector]);
      expect(got).to.deep.equal({ code: 1, stdout: '', stderr: unableToFind(TASKS_GVR, selector, '', `unable to parse requirement: ${why}`) });
    };

    it('a bad key: labels.Parser checks it against its nil field path ("<nil>:", not "key:")', async () => {
      await refused('-a=b', `<nil>: Invalid value: "-a": ${NAME_PART}`);
    });

    it('a bad value: NewRequirement names it values[i][key]', async () => {
      await refused('app=b$', `values[0][app]: Invalid value: "b$": ${VALUE}`);
    });

    it('Gt/Lt: a value that is no integer, and a negative one (an invalid label value in 1.26)', async () => {
      await refused('n>x', `values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`);
      await refused('n<-1', `values[0][n]: Invalid value: "-1": ${VALUE}`);
    });

    it("a broken value set: parseIdentifiersList's own wording", async () => {
      await refused('a in (x,=)', "found '=', expected: ',', or identifier");
    });
  });

  describe('LIST and WATCH parameters (HTTP)', () => {
    const status = (code: number, message: string, reason?: string, details?: unknown) => ({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      ...(reason !== undefined ? { reason } : {}),
      ...(details !== undefined ? { details } : {}),
      code,
    });

    it('ValidateListOptions: every violation at once, forbidden for watch and with continue', async () => {
      const r = await call('GET', `${TASKS}?resourceVersionMatch=Bogus&continue=x`);
      const causes = [
        {
          reason: 'FieldValueForbidden',
          message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
          field: 'resourceVersionMatch',
        },
        { reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden when continue is provided', field: 'resourceVersionMatch' },
        {
          reason: 'FieldValueNotSupported',
          message: 'Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""',
          field: 'resourceVersionMatch',
        },
      ];
      const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
      expect(r.status).to.equal(422);
      expect(r.json).to.deep.equal(
        status(422, `ListOptions.meta.k8s.io "" is invalid: [${text}]`, 'Invalid', { group: 'meta.k8s.io', kind: 'ListOptions', causes }),
      );
      const w = await call('GET', `${TASKS}?watch=true&resourceVersion=1&resourceVersionMatch=NotOlderThan`);
      expect([w.status, w.json['message']]).to.deep.equal([
        422,
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch',
      ]);
    });

    it('a bad resourceVersion: unconverted from the watch cache (500, no reason), "invalid resource version" from etcd (400)', async () => {
      const parse = 'resourceVersion: Invalid value: "x1": strconv.ParseUint: parsing "x1": invalid syntax';
      expect((await call('GET', `${TASKS}?resourceVersion=x1`)).json).to.deep.equal(status(500, parse));
      expect((await call('GET', `${TASKS}?watch=true&resourceVersion=x1`)).json).to.deep.equal(status(500, parse));
      expect((await call('GET', `${TASKS}?resourceVersion=x1&resourceVersionMatch=Exact`)).json).to.deep.equal(
        status(400, `invalid resource version: ${parse}`, 'BadRequest'),
      );
    });

    it("a future resourceVersion read at a pinned etcd revision: etcd's own error", async () => {
      const future = test.sandbox.store.resourceVersion + 100;
      const r = await call('GET', `${TASKS}?resourceVersion=${future}&resourceVersionMatch=Exact`);
      expect(r.json).to.deep.equal(status(500, 'etcdserver: mvcc: required revision is a future revision'));
    });

    it('continue tokens: storage.DecodeContinue\'s errors wrapped by etcd3 ("invalid continue token: ...")', async () => {
      const token = (t: unknown) => Buffer.from(typeof t === 'string' ? t : JSON.stringify(t)).toString('base64url');
      const refused = async (cont: string, why: string, extra = '') => {
        const r = await call('GET', `${TASKS}?limit=1&continue=${encodeURIComponent(cont)}${extra}`);
        expect(r.json, cont).to.deep.equal(status(400, `invalid continue token: continue key is not valid${why}`, 'BadRequest'));
      };
      await refused('a.b', ': illegal base64 data at input byte 1');
      await refused(token('{"v":'), ': unexpected end of JSON input');
      await refused(token([1]), ': json: cannot unmarshal array into Go value of type storage.continueToken');
      await refused(token({ v: 'meta.k8s.io/v1', rv: 'x', start: 'a' }), ': json: cannot unmarshal string into Go struct field continueToken.rv of type int64');
      await refused(token({ v: 'v2', rv: 1, start: 'a' }), ': server does not recognize this encoded version v2');
      await refused(token({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' }), ': incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
      await refused(token({ v: 'meta.k8s.io/v1', rv: 1, start: '' }), ': encoded start key empty (version meta.k8s.io/v1)');
      await refused(token({ v: 'meta.k8s.io/v1', rv: 1, start: 'a/../../b' }), ': a/../../b');
      const ok = token({ v: 'meta.k8s.io/v1', rv: test.sandbox.store.resourceVersion, start: 'a' });
      const r = await call('GET', `${TASKS}?limit=1&continue=${ok}&resourceVersion=5`);
      expect(r.json).to.deep.equal(status(400, 'specifying resource version is not allowed when using continue', 'BadRequest'));
    });

    it('a continue token older than the compaction: 410 with a token that continues at the current state', async () => {
      for (const n of ['c1', 'c2', 'c3']) expect((await kubectl(['-n', NS, 'apply', '-f', '-'], task(n))).code).to.equal(0);
      const page = await call('GET', `${TASKS}?limit=1`);
      const cont = String((page.json['metadata'] as Record<string, unknown>)['continue']);
      expect(JSON.parse(Buffer.from(cont, 'base64url').toString())).to.have.property('v', 'meta.k8s.io/v1');
      expect((await kubectl(['-n', NS, 'label', 'task', 'c1', 'x=y'])).code).to.equal(0);
      test.sandbox.faults.expireWatches();
      const r = await call('GET', `${TASKS}?limit=1&continue=${encodeURIComponent(cont)}`);
      expect(r.status).to.equal(410);
      const next = String((r.json['metadata'] as Record<string, unknown>)['continue']);
      expect(r.json).to.deep.equal({ ...status(410, r.json['message'] as string, 'Expired'), metadata: { continue: next } });
      expect(r.json['message']).to.match(
        /^The provided continue parameter is too old to display a consistent list result\. You can start a new list without the continue parameter, or use the continue token in this response/,
      );
      expect(JSON.parse(Buffer.from(next, 'base64url').toString())).to.include({ v: 'meta.k8s.io/v1', rv: -1 });
      const rest = await call('GET', `${TASKS}?limit=10&continue=${encodeURIComponent(next)}`);
      expect(rest.status).to.equal(200);
      expect((rest.json['items'] as { metadata: { name: string } }[]).map((i) => i.metadata.name)).to.include.members(['c2', 'c3']);
    });

    it("a watch of one object whose field selector names another: ListResource's 400", async () => {
      const r = await call('GET', `${TASKS}/w1?watch=true&fieldSelector=metadata.name%3Dw2`);
      expect(r.json).to.deep.equal(status(400, "fieldSelector metadata.name doesn't match requested name", 'BadRequest'));
    });

    it("limit and timeoutSeconds that are no integers: strconv.ParseInt's error (400)", async () => {
      expect((await call('GET', `${TASKS}?limit=ten`)).json).to.deep.equal(status(400, 'strconv.ParseInt: parsing "ten": invalid syntax', 'BadRequest'));
      expect((await call('GET', `${TASKS}?watch=true&timeoutSeconds=0.1s`)).json).to.deep.equal(
        status(400, 'strconv.ParseInt: parsing "0.1s": invalid syntax', 'BadRequest'),
      );
    });
  });

  describe('strategic merge patches (built-in kinds)', () => {
    before(async () => {
      const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: s1}\nspec:\n  ports: [{port: 80}]\n';
      expect((await kubectl(['-n', NS, 'apply', '-f', '-'], svc)).code).to.equal(0);
    });
    const patch = (p: string) => kubectl(['-n', NS, 'patch', 'service', 's1', '-p', p]);

    it("a list item without its merge key: mergepatch.ErrNoMergeKey, unconverted (500, Go's %v of the item)", async () => {
      expect(await patch('{"spec":{"ports":[{"targetPort":8080,"name":"x"}]}}')).to.deep.equal({
        code: 1,
        stdout: '',
        stderr: 'Error from server: map: map[name:x targetPort:8080] does not contain declared merge key: port\n',
      });
      const r = await call('PATCH', `/api/v1/namespaces/${NS}/services/s1`, {
        body: { spec: { ports: [{ targetPort: 8080 }] } },
        contentType: 'application/strategic-merge-patch+json',
      });
      expect(r.text).to.equal(
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"map: map[targetPort:8080] does not contain declared merge key: port","code":500}\n',
      );
    });

    it('an unknown $patch directive: mergepatch.ErrBadPatchType; "merge" on a list item is refused too', async () => {
      expect((await patch('{"spec":{"$patch":"bogus"}}')).stderr).to.equal('Error from server: unknown patch type: bogus in map: map[$patch:bogus]\n');
      expect((await patch('{"spec":{"ports":[{"$patch":"merge","port":80}]}}')).stderr).to.equal(
        'Error from server: merging lists cannot yet be specified in the patch\n',
      );
    });

    it('$retainKeys that is no list, or misses a key the patch sets: 400 "invalid patch format of retainKeys"', async () => {
      expect((await patch('{"spec":{"$retainKeys":"x"}}')).stderr).to.equal('Error from server (BadRequest): invalid patch format of retainKeys\n');
      expect((await patch('{"spec":{"$retainKeys":["ports"],"type":"NodePort"}}')).stderr).to.equal(
        'Error from server (BadRequest): invalid patch format of retainKeys\n',
      );
    });
  });

  describe('write options (HTTP)', () => {
    const status = (code: number, message: string, reason: string, details?: unknown) => ({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      ...(details !== undefined ? { details } : {}),
      code,
    });
    const invalidOptions = (kind: string, causes: { reason: string; message: string; field: string }[]) => {
      const text = causes.map((c) => `${c.field}: ${c.message}`);
      const summary = text.length === 1 ? text[0] : `[${text.join(', ')}]`;
      return status(422, `${kind}.meta.k8s.io "" is invalid: ${summary}`, 'Invalid', { group: 'meta.k8s.io', kind, causes });
    };
    const body = { apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', metadata: { name: 'opt1' }, spec: { state: 'standby' } };

    it("ValidateCreateOptions: dryRun (Go's %#v of the list) and fieldValidation, together", async () => {
      const r = await call('POST', `${TASKS}?dryRun=All&dryRun=Some&fieldValidation=Loose`, { body });
      expect(r.json).to.deep.equal(
        invalidOptions('CreateOptions', [
          { reason: 'FieldValueNotSupported', message: 'Unsupported value: []string{"All", "Some"}: supported values: "All"', field: 'dryRun' },
          {
            reason: 'FieldValueNotSupported',
            message: 'Unsupported value: "Loose": supported values: "", "Ignore", "Strict", "Warn"',
            field: 'fieldValidation',
          },
        ]),
      );
    });

    it('ValidatePatchOptions: apply needs a fieldManager, other patches may not say force; a fieldManager must be printable', async () => {
      const apply = await call('PATCH', `${TASKS}/opt1`, { body: JSON.stringify(body), contentType: 'application/apply-patch+yaml' });
      expect(apply.json).to.deep.equal(
        invalidOptions('PatchOptions', [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }]),
      );
      const merge = await call('PATCH', `${TASKS}/opt1?force=false&fieldManager=a%09b`, { body: {}, contentType: 'application/merge-patch+json' });
      expect(merge.json).to.deep.equal(
        invalidOptions('PatchOptions', [
          { reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch', field: 'force' },
          { reason: 'FieldValueInvalid', message: 'Invalid value: "a\\tb": invalid character U+0009 (at position 1)', field: 'fieldManager' },
        ]),
      );
    });

    it("an unsupported patch type first (415): go-restful's for built-in kinds, the patch handler's list for custom resources", async () => {
      const builtin = await call('PATCH', `/api/v1/namespaces/${NS}/configmaps/x?dryRun=bogus`, { body: '{}', contentType: 'text/plain' });
      expect(builtin.text).to.equal(
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"415: Unsupported Media Type","reason":"UnsupportedMediaType","details":{},"code":415}\n',
      );
      const cr = await call('PATCH', `${TASKS}/x?dryRun=bogus`, { body: '{}', contentType: 'application/strategic-merge-patch+json' });
      expect(cr.json).to.deep.equal({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        reason: 'UnsupportedMediaType',
        code: 415,
        message:
          'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      });
      const create = await call('POST', TASKS, { body: '{}', contentType: 'text/plain' });
      expect(create.json['message']).to.equal(
        'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
      );
    });

    it('DeleteOptions: from the body or else the query; every violation; strconv and decoder errors', async () => {
      const both = await call('DELETE', `${TASKS}/opt1`, { body: { propagationPolicy: 'Bogus', dryRun: ['x'] } });
      expect(both.json).to.deep.equal(
        invalidOptions('DeleteOptions', [
          {
            reason: 'FieldValueNotSupported',
            message: 'Unsupported value: "Bogus": supported values: "Foreground", "Background", "Orphan", "nil"',
            field: 'propagationPolicy',
          },
          { reason: 'FieldValueNotSupported', message: 'Unsupported value: []string{"x"}: supported values: "All"', field: 'dryRun' },
        ]),
      );
      expect((await call('DELETE', `${TASKS}/opt1?gracePeriodSeconds=soon`)).json).to.deep.equal(
        status(400, 'strconv.ParseInt: parsing "soon": invalid syntax', 'BadRequest'),
      );
      const typed = await call('DELETE', `${TASKS}/opt1`, { body: { gracePeriodSeconds: 'soon' } });
      expect(typed.text).to.equal(
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"json: cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds of type int64","code":500}\n',
      );
    });
  });

  describe('patch bodies', () => {
    before(async () => {
      expect((await kubectl(['-n', NS, 'apply', '-f', '-'], task('pb1'))).code).to.equal(0);
    });
    const patch = (type: string, p: string, name = 'pb1') => kubectl(['-n', NS, 'patch', 'task', name, `--type=${type}`, '-p', p]);
    const badRequest = (message: string) => ({ code: 1, stdout: '', stderr: `Error from server (BadRequest): ${message}\n` });

    it('a JSON patch that is no list: decoded strictly into []handlers.jsonPatchOp first (fieldValidation Warn)', async () => {
      expect(await patch('json', '{}')).to.deep.equal(
        badRequest('error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp'),
      );
      expect(await patch('json', '[{"op":1}]')).to.deep.equal(
        badRequest('error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.op of type string'),
      );
      // null decodes to no operations at all.
      expect((await patch('json', 'null')).stdout).to.equal('task.aliecs.alice.cern/pb1 patched (no change)\n');
    });

    it('a merge patch that is no object: "error decoding patch", and a null one is jsonpatch\'s "Invalid JSON Patch"', async () => {
      expect(await patch('merge', '[1]')).to.deep.equal(
        badRequest('error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}'),
      );
      expect(await patch('merge', 'nope')).to.deep.equal(
        badRequest('error decoding patch: json: cannot unmarshal string into Go value of type map[string]interface {}'),
      );
      expect(await patch('merge', 'null')).to.deep.equal(badRequest('Invalid JSON Patch'));
    });

    it('the object is read before the patch is decoded: a missing one is a 404 whatever the body', async () => {
      expect((await patch('json', '{}', 'missing')).stderr).to.equal('Error from server (NotFound): tasks.aliecs.alice.cern "missing" not found\n');
    });

    it("JSON syntax errors in Go's encoding/json words (HTTP)", async () => {
      const send = (contentType: string, body: string, query = '') => call('PATCH', `${TASKS}/pb1${query}`, { body, contentType });
      expect((await send('application/json-patch+json', '[{"op":')).json['message']).to.equal('error decoding patch: unexpected end of JSON input');
      expect((await send('application/merge-patch+json', '{"spec" 1}')).json['message']).to.equal(
        "error decoding patch: invalid character '1' after object key",
      );
      // With fieldValidation=Ignore the strict pass is skipped: DecodePatch's and MergePatch's own errors.
      expect((await send('application/json-patch+json', "{'", '?fieldValidation=Ignore')).json['message']).to.equal(
        "invalid character '\\'' looking for beginning of object key string",
      );
      expect((await send('application/merge-patch+json', '{x', '?fieldValidation=Ignore')).json['message']).to.equal('Invalid JSON Patch');
      const cm = await call('PATCH', `/api/v1/namespaces/${NS}/configmaps/none`, { body: '[', contentType: 'application/strategic-merge-patch+json' });
      expect([cm.status, cm.json['message']]).to.deep.equal([404, 'configmaps "none" not found']);
    });

    it('server-side apply: a body that is no map, a wrong version, managedFields (structuredMergeManager.Apply)', async () => {
      const apply = (body: string) => call('PATCH', `${TASKS}/pb1?fieldManager=m`, { body, contentType: 'application/apply-patch+yaml' });
      expect((await apply('- a\n')).json['message']).to.equal(
        'error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}',
      );
      expect((await apply('apiVersion: v1\nkind: Task\nmetadata: {name: pb1}\n')).json['message']).to.equal(
        'Incorrect version specified in apply patch. Specified patch version: v1, expected: aliecs.alice.cern/v1alpha1',
      );
      expect((await apply('')).json['message']).to.equal(
        'Incorrect version specified in apply patch. Specified patch version: , expected: aliecs.alice.cern/v1alpha1',
      );
      expect((await apply(task('pb1').replace('metadata: {name: pb1}', 'metadata: {name: pb1, managedFields: []}'))).json['message']).to.equal(
        'metadata.managedFields must be nil',
      );
    });
  });

  describe('request bodies (HTTP)', () => {
    const post = (body: string, path = TASKS) => call('POST', path, { body, contentType: 'application/json' });
    const message = async (body: string, path = TASKS) => (await post(body, path)).json['message'];
    const unrecognized = (why: string, summary: string) => `the object provided is unrecognized (must be of type Task): ${why} (${summary})`;
    const FIND_KIND = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

    it('JSON the serializer cannot read: transformDecodeError\'s "the object provided is unrecognized", with Go\'s error and summarizeData', async () => {
      expect(await message('{"apiVersion": "aliecs.alice.cern/v1alpha1", "kind": "Task",')).to.equal(
        unrecognized("couldn't get version/kind; json parse error: unexpected end of JSON input", '{"apiVersion": "aliecs.alice.c ...'),
      );
      expect(await message('')).to.equal(unrecognized("couldn't get version/kind; json parse error: unexpected end of JSON input", '<empty>'));
      expect(await message('[1]')).to.equal(
        unrecognized(`couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type ${FIND_KIND}`, '5b315d'),
      );
      expect(await message('{"apiVersion": 1}')).to.equal(
        unrecognized(
          "couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field .apiVersion of type string",
          '{"apiVersion": 1}',
        ),
      );
      expect(await message('{"apiVersion": "a/b/c"}')).to.equal(unrecognized('unexpected GroupVersion string: a/b/c', '{"apiVersion": "a/b/c"}'));
    });

    it('custom resources are decoded as Unstructured: the kind is required, the group/version converted by the crConverter', async () => {
      const noKind = '{"apiVersion":"aliecs.alice.cern/v1alpha1","metadata":{"name":"k1"}}';
      expect(await message(noKind)).to.equal(unrecognized(`Object 'Kind' is missing in '${noKind}'`, '{"apiVersion":"aliecs.alice.ce ...'));
      expect(await message('null')).to.equal("Task in version \"v1alpha1\" cannot be handled as a Task: Object 'Kind' is missing in 'null'");
      expect(await message('{"apiVersion":"aliecs.alice.cern/v2","kind":"Task","metadata":{"name":"k1"}}')).to.equal(
        'Task in version "v2" cannot be handled as a Task: request to convert CR from an invalid group/version: aliecs.alice.cern/v2',
      );
      expect(await message('{"apiVersion":"v1","kind":"Task","metadata":{"name":"k1"}}')).to.equal(
        'Task in version "v1" cannot be handled as a Task: /v1, Kind=Task is unstructured and is not suitable for converting to "aliecs.alice.cern/v1alpha1"',
      );
    });

    it("a custom resource of another kind: the CR validator's ValidateTypeMeta (422)", async () => {
      const r = await post('{"apiVersion":"aliecs.alice.cern/v1alpha1","kind":"Job","metadata":{"name":"k2"},"spec":{"state":"bogus"}}');
      expect(r.status).to.equal(422);
      expect(r.json['message']).to.equal('Task.aliecs.alice.cern "k2" is invalid: kind: Invalid value: "Job": must be Task');
    });

    it("a built-in kind posted to another kind's endpoint: decoded as what it is, then no conversion to the endpoint's type", async () => {
      const r = await post('{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s1"}}', `/api/v1/namespaces/${NS}/configmaps`);
      expect([r.status, r.json['message']]).to.deep.equal([
        400,
        'Secret in version "v1" cannot be handled as a ConfigMap: converting (v1.Secret) to (core.ConfigMap): unknown conversion',
      ]);
    });

    it("a subresource a custom resource does not serve: crdHandler's NotFound of the object", async () => {
      const r = await call('GET', `${TASKS}/t0/scale`);
      expect(r.json).to.deep.equal({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'tasks.aliecs.alice.cern "t0" not found',
        reason: 'NotFound',
        details: { name: 't0', group: 'aliecs.alice.cern', kind: 'tasks' },
        code: 404,
      });
    });

    it('a DELETE body the codec cannot read: its error unconverted (500)', async () => {
      const r = await call('DELETE', `${TASKS}/none`, { body: '{"propagationPolicy":', contentType: 'application/json' });
      expect(r.text).to.equal(
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"couldn\'t get version/kind; json parse error: unexpected end of JSON input","code":500}\n',
      );
    });
  });

  describe('object names', () => {
    it("a name over 253 characters: IsDNS1123Subdomain's length error (the pattern alone passed it before)", async () => {
      const name = 'a'.repeat(254);
      const got = await kubectl(['-n', NS, 'create', 'configmap', name]);
      expect(got.stderr).to.equal(
        `error: failed to create configmap: ConfigMap "${name}" is invalid: metadata.name: Invalid value: "${name}": must be no more than 253 characters\n`,
      );
    });

    it('Services are DNS-1035 labels, RBAC objects path segments (a colon is fine, a slash or % is not)', async () => {
      const svc = await kubectl(['-n', NS, 'create', 'service', 'clusterip', '1abc', '--tcp=80']);
      expect(svc.stderr).to.equal(
        `error: failed to create ClusterIP service: Service "1abc" is invalid: metadata.name: Invalid value: "1abc": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')\n`,
      );
      expect((await kubectl(['create', 'clusterrole', 'system:fidelity', '--verb=get', '--resource=pods'])).stdout).to.equal(
        'clusterrole.rbac.authorization.k8s.io/system:fidelity created\n',
      );
      const bad = await call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
        body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'a%b' } },
      });
      expect(bad.json['message']).to.equal(
        'ClusterRole.rbac.authorization.k8s.io "a%b" is invalid: metadata.name: Invalid value: "a%b": may not contain \'%\'',
      );
    });

    it('a generateName is checked too (a trailing dash is allowed)', async () => {
      const r = await call('POST', TASKS, {
        body: { apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', metadata: { generateName: 'Bad-' }, spec: { state: 'standby' } },
      });
      expect(r.status).to.equal(422);
      const causes = (r.json['details'] as { causes: { field: string; message: string }[] }).causes;
      expect(causes[0]).to.deep.include({ field: 'metadata.generateName' });
      expect(causes[0]!.message).to.match(/^Invalid value: "Bad-": a lowercase RFC 1123 subdomain must consist of/);
      expect(causes[1]).to.deep.include({ field: 'metadata.name' });
    });
  });

  describe('CRD schema validation', () => {
    it('int-or-string is the type list [integer, string]; a failed anyOf quotes its path (%q)', async () => {
      const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.fidelity.test}
spec:
  group: fidelity.test
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size:
                anyOf: [{type: integer}, {type: string}]
                x-kubernetes-int-or-string: true
`;
      expect((await kubectl(['apply', '-f', '-'], crd)).code).to.equal(0);
      const got = await kubectl(['-n', NS, 'apply', '-f', '-'], 'apiVersion: fidelity.test/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: true}\n');
      expect(got.stderr).to.equal(
        'The Widget "w1" is invalid: \n' +
          '* spec.size: Invalid value: "boolean": spec.size in body must be of type integer,string: "boolean"\n' +
          '* <nil>: Invalid value: "": "spec.size" must validate at least one schema (anyOf)\n' +
          '* spec.size: Invalid value: "boolean": spec.size in body must be of type integer: "boolean"\n',
      );
    });
  });

  describe('CustomResourceDefinition validation', () => {
    it("ValidateCustomResourceDefinition's order and words: name, group, scope, versions, names, stored versions", async () => {
      const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.fidelity.test}
spec:
  group: fidelity
  names: {plural: gizmos, kind: Gadget}
`;
      const got = await kubectl(['apply', '-f', '-'], crd);
      expect(got.stderr).to.equal(
        'The CustomResourceDefinition "gadgets.fidelity.test" is invalid: \n' +
          '* metadata.name: Invalid value: "gadgets.fidelity.test": must be spec.names.plural+"."+spec.group\n' +
          '* spec.group: Invalid value: "fidelity": should be a domain with at least one dot\n' +
          '* spec.scope: Required value\n' +
          '* spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion(nil): must have exactly one version marked as storage version\n' +
          '* status.storedVersions: Invalid value: []string(nil): must have at least one stored version\n',
      );
    });
  });

  describe('request size', () => {
    it("a body over MaxRequestBodyBytes (3 MiB): limitedReadBody's 413", async () => {
      const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(3 * 1024 * 1024) } });
      const r = await call('POST', `/api/v1/namespaces/${NS}/configmaps`, { body: big });
      expect(r.status).to.equal(413);
      expect(r.json).to.deep.equal({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Request entity too large: limit is 3145728',
        reason: 'RequestEntityTooLarge',
        code: 413,
      });
    });
  });

  describe('delete preconditions (HTTP)', () => {
    it("rest.BeforeDelete's conflict, naming the object by its Kind", async () => {
      expect((await kubectl(['-n', NS, 'apply', '-f', '-'], task('pre1'))).code).to.equal(0);
      const uid = String(((await call('GET', `${TASKS}/pre1`)).json['metadata'] as Record<string, unknown>)['uid']);
      const byUid = await call('DELETE', `${TASKS}/pre1`, { body: { preconditions: { uid: 'not-it' } } });
      expect(byUid.json).to.deep.equal({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        reason: 'Conflict',
        code: 409,
        message: `Operation cannot be fulfilled on Task.aliecs.alice.cern "pre1": the UID in the precondition (not-it) does not match the UID in record (${uid}). The object might have been deleted and then recreated`,
        details: { name: 'pre1', group: 'aliecs.alice.cern', kind: 'Task' },
      });
      const byRv = await call('DELETE', `${TASKS}/pre1`, { body: { preconditions: { resourceVersion: '1' } } });
      expect(byRv.json['message']).to.match(
        /^Operation cannot be fulfilled on Task\.aliecs\.alice\.cern "pre1": the ResourceVersion in the precondition \(1\) does not match the ResourceVersion in record \(\d+\)\. The object might have been modified$/,
      );
    });
  });

  describe('server-side apply', () => {
    it('a conflict carries only its causes in details (errors.NewApplyConflict)', async () => {
      expect((await kubectl(['apply', '--server-side', '-f', '-'], task('ssa1'))).code).to.equal(0);
      const res = await call('PATCH', `${TASKS}/ssa1?fieldManager=other`, {
        body: task('ssa1', '{state: running}'),
        contentType: 'application/apply-patch+yaml',
      });
      expect(res.status).to.equal(409);
      expect(res.json).to.deep.equal({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Apply failed with 1 conflict: conflict with "kubectl": .spec.state',
        reason: 'Conflict',
        details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.spec.state' }] },
        code: 409,
      });
    });
  });
});
