import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { writeKubeconfig } from '../../../src/sandbox/auth/kubeconfig.ts';
import { createCertificates } from '../../../src/sandbox/auth/tls.ts';

const VERSION = { major: '1', minor: '26', gitVersion: 'v1.26.1' };

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('sandbox/auth/tls', function () {
  this.timeout(60_000);
  let dir = '';
  let server: Server | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandbox-tls-'));
  });

  after(async () => {
    server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('issues a server certificate signed by a fresh CA with the requested SANs', async () => {
    const certs = await createCertificates({ hosts: ['127.0.0.1', 'localhost'] });
    const ca = new X509Certificate(certs.caPem);
    const cert = new X509Certificate(certs.certPem);
    expect(ca.ca).to.equal(true);
    expect(cert.ca).to.equal(false);
    expect(cert.checkIssued(ca)).to.equal(true);
    expect(cert.verify(ca.publicKey)).to.equal(true);
    expect(cert.checkIP('127.0.0.1')).to.equal('127.0.0.1');
    expect(cert.checkHost('localhost')).to.equal('localhost');
    expect(cert.checkHost('example.com')).to.equal(undefined);
    expect(certs.keyPem).to.match(/-----BEGIN (RSA |EC )?PRIVATE KEY-----/);
    const other = await createCertificates({ hosts: ['127.0.0.1'] });
    expect(other.caPem).to.not.equal(certs.caPem);
  });

  it('is accepted by real kubectl with certificate-authority-data, and a foreign CA is refused', async () => {
    const certs = await createCertificates({ hosts: ['127.0.0.1', 'localhost'] });
    const seenAuth: (string | undefined)[] = [];
    server = createServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => {
      seenAuth.push(req.headers.authorization);
      if (req.url?.startsWith('/version')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(VERSION, null, 2));
        return;
      }
      res.writeHead(404).end();
    });
    const port = await listen(server);
    const kubeconfig = join(dir, 'nested', 'config');
    await writeKubeconfig(kubeconfig, {
      server: `https://127.0.0.1:${port}`,
      caPem: certs.caPem,
      users: [{ context: 'admin', user: 'admin', token: 'tok-123' }],
      currentContext: 'admin',
    });
    const ok = await execa('kubectl', ['--kubeconfig', kubeconfig, 'get', '--raw', '/version'], { reject: false });
    expect(ok.stderr).to.equal('');
    expect(ok.exitCode).to.equal(0);
    expect(JSON.parse(ok.stdout)).to.deep.equal(VERSION);
    expect(seenAuth).to.include('Bearer tok-123');

    const foreign = await createCertificates({ hosts: ['127.0.0.1'] });
    const wrongCa = join(dir, 'wrong-ca');
    await writeKubeconfig(wrongCa, {
      server: `https://127.0.0.1:${port}`,
      caPem: foreign.caPem,
      users: [{ context: 'admin', user: 'admin', token: 'tok-123' }],
      currentContext: 'admin',
    });
    const refused = await execa('kubectl', ['--kubeconfig', wrongCa, 'get', '--raw', '/version'], { reject: false });
    expect(refused.exitCode).to.not.equal(0);
    expect(refused.stderr).to.match(/certificate signed by unknown authority|x509/);
  });
});
