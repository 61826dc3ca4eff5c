/** A throw-away CA plus a server certificate it signs, so kubectl can verify the sandbox over TLS. */
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

export interface SandboxCertificates {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export async function createCertificates(args: { hosts: string[] }): Promise<SandboxCertificates> {
  const ca = await generate([{ name: 'commonName', value: 'kubectl-task sandbox CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'kubectl-task sandbox' }], {
    keySize: 2048,
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: args.hosts.map((h) => (isIP(h) !== 0 ? { type: 7 as const, ip: h } : { type: 2 as const, value: h })),
      },
    ],
  });
  return { caPem: ca.cert, certPem: server.cert, keyPem: server.private };
}
