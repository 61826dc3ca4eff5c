import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { parse } from 'yaml';
import { renderKubeconfig, writeKubeconfig, type KubeconfigArgs } from '../../../src/sandbox/auth/kubeconfig.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const ARGS: KubeconfigArgs = {
  server: 'https://127.0.0.1:6443',
  caPem: CA,
  users: [
    { context: 'admin', user: 'admin', token: 'admin-token' },
    { context: 'executor', user: 'task-executor', token: 'executor-token' },
  ],
  currentContext: 'executor',
  namespace: 'rec',
};

describe('sandbox/auth/kubeconfig', function () {
  this.timeout(30_000);
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandbox-kubeconfig-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('renders one cluster, one user entry per context, base64 CA data', () => {
    const doc = parse(renderKubeconfig(ARGS)) as Record<string, unknown>;
    expect(doc['apiVersion']).to.equal('v1');
    expect(doc['kind']).to.equal('Config');
    expect(doc['current-context']).to.equal('executor');
    expect(doc['clusters']).to.deep.equal([
      { name: 'sandbox', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from(CA).toString('base64') } },
    ]);
    expect(doc['users']).to.deep.equal([
      { name: 'admin', user: { token: 'admin-token' } },
      { name: 'executor', user: { token: 'executor-token' } },
    ]);
    expect(doc['contexts']).to.deep.equal([
      { name: 'admin', context: { cluster: 'sandbox', user: 'admin', namespace: 'rec' } },
      { name: 'executor', context: { cluster: 'sandbox', user: 'executor', namespace: 'rec' } },
    ]);
  });

  it('omits CA data and namespace when not given; rejects an unknown current context', () => {
    const doc = parse(renderKubeconfig({ server: 'http://127.0.0.1:1', users: [{ context: 'a', user: 'a', token: 't' }], currentContext: 'a' })) as {
      clusters: { cluster: Record<string, string> }[];
      contexts: { context: Record<string, string> }[];
    };
    expect(doc.clusters[0]?.cluster).to.deep.equal({ server: 'http://127.0.0.1:1' });
    expect(doc.contexts[0]?.context).to.deep.equal({ cluster: 'sandbox', user: 'a' });
    expect(() => renderKubeconfig({ ...ARGS, currentContext: 'nobody' })).to.throw(/currentContext "nobody" is not one of the contexts/);
  });

  it('writes a 0600 file that real kubectl parses', async () => {
    const path = join(dir, 'a', 'b', 'config');
    await writeKubeconfig(path, ARGS);
    expect((await stat(path)).mode & 0o777).to.equal(0o600);
    const view = await execa('kubectl', ['config', 'view', '--kubeconfig', path, '-o', 'json']);
    const parsed = JSON.parse(view.stdout) as { 'current-context': string; contexts: { name: string; context: { namespace: string } }[] };
    expect(parsed['current-context']).to.equal('executor');
    expect(parsed.contexts.map((c) => [c.name, c.context.namespace])).to.deep.equal([
      ['admin', 'rec'],
      ['executor', 'rec'],
    ]);
    expect(view.stdout).to.not.include('executor-token');
    const contexts = await execa('kubectl', ['config', 'get-contexts', '--kubeconfig', path, '-o', 'name']);
    expect(contexts.stdout.split('\n')).to.deep.equal(['admin', 'executor']);
    const token = await execa('kubectl', ['config', 'view', '--kubeconfig', path, '--raw', '-o', 'jsonpath={.users[?(@.name=="admin")].user.token}']);
    expect(token.stdout).to.equal('admin-token');
  });

  it('tightens the mode of an existing file', async () => {
    const path = join(dir, 'existing');
    await writeFile(path, 'old', { mode: 0o644 });
    await writeKubeconfig(path, ARGS);
    expect((await stat(path)).mode & 0o777).to.equal(0o600);
  });
});
