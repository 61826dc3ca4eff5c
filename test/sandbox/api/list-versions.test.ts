import { expect } from 'chai';
import { sandboxPerTest, type Call } from '../sandbox-client.ts';

const CM = '/api/v1/namespaces/test/configmaps';

describe('sandbox LIST/WATCH resourceVersion and selector errors', function () {
  this.timeout(20_000);
  const ctx = sandboxPerTest({ crd: 'none' });
  const call: Call = (method, path, options) => ctx.call(method, path, options);

  beforeEach(async () => {
    await call('POST', CM, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } } });
  });

  it('a non-numeric resourceVersion: the watch cache returns its parse error as is (500), etcd as a 400', async () => {
    const parseError = 'resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax';
    for (const q of ['resourceVersion=abc', 'resourceVersion=abc&watch=true']) {
      const r = await call('GET', `${CM}?${q}`);
      expect(r.status, q).to.equal(500);
      expect(r.text, q).to.equal(`{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":${JSON.stringify(parseError)},"code":500}\n`);
    }
    // A paged list goes to etcd (Cacher.shouldDelegateList).
    const paged = await call('GET', `${CM}?resourceVersion=abc&limit=10`);
    expect([paged.status, paged.json['reason'], paged.json['message']]).to.deep.equal([400, 'BadRequest', `invalid resource version: ${parseError}`]);
  });

  it('answers 504 Too large resource version to a LIST newer than the store', async () => {
    const current = ctx.sandbox.store.resourceVersion;
    const r = await call('GET', `${CM}?resourceVersion=${current + 1000}`);
    expect(r.status).to.equal(504);
    expect(r.headers['retry-after']).to.equal('1');
    expect(r.text).to.equal(
      `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Timeout: Too large resource version: ${current + 1000}, current: ${current}","reason":"Timeout","details":{"causes":[{"reason":"ResourceVersionTooLarge","message":"Too large resource version"}],"retryAfterSeconds":1},"code":504}\n`,
    );
    expect((await call('GET', `${CM}?resourceVersion=${current}`)).status).to.equal(200);
    expect((await call('GET', `${CM}?resourceVersion=0`)).status).to.equal(200);
  });

  it('answers 410 Expired to resourceVersionMatch=Exact with an old resourceVersion', async () => {
    const old = ctx.sandbox.store.resourceVersion;
    await call('POST', CM, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } } });
    const r = await call('GET', `${CM}?resourceVersion=${old}&resourceVersionMatch=Exact`);
    expect(r.status).to.equal(410);
    expect(r.json['reason']).to.equal('Expired');
    expect(r.json['message']).to.equal('The resourceVersion for the provided list is too old.');
    const exact = await call('GET', `${CM}?resourceVersion=${ctx.sandbox.store.resourceVersion}&resourceVersionMatch=Exact`);
    expect(exact.status).to.equal(200);
    expect((await call('GET', `${CM}?resourceVersion=${old}&resourceVersionMatch=NotOlderThan`)).status).to.equal(200);
  });

  // labels.Parser.parseValues reads "()" as the set {""}: the apiserver accepts it (no 400).
  it('reads an empty in () / notin () set as the empty value, like apimachinery', async () => {
    await call('POST', CM, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'empty', labels: { app: '' } } } });
    await call('POST', CM, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { app: 'x' } } } });
    const names = async (sel: string) => {
      const r = await call('GET', `${CM}?labelSelector=${encodeURIComponent(sel)}`);
      expect(r.status, sel).to.equal(200);
      return (r.json['items'] as { metadata: { name: string } }[]).map((i) => i.metadata.name);
    };
    expect(await names('app in ()')).to.deep.equal(['empty']);
    expect(await names('app notin ()')).to.deep.equal(['a', 'x']);
  });
});
