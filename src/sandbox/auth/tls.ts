/**
 * A throw-away CA plus a server certificate it signs, so kubectl (Go's crypto/tls) can verify the
 * sandbox with certificate-authority-data. ECDSA P-256 keys: generated in milliseconds, unlike RSA.
 */
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

export interface SandboxCertificates {
  /** PEM of the CA certificate: goes into the kubeconfig's certificate-authority-data. */
  caPem: string;
  /** PEM of the server certificate (SANs = hosts). */
  certPem: string;
  /** PEM of the server's private key; never log it. */
  keyPem: string;
}

const VALIDITY_MS = 365 * 24 * 3600 * 1000;

export async function createCertificates(args: { hosts: string[]; now?: Date }): Promise<SandboxCertificates> {
  if (args.hosts.length === 0) throw new Error('createCertificates: hosts is empty; the certificate needs at least one SAN');
  // Backdated a minute so a client clock slightly behind ours still accepts the certificate.
  const notBeforeDate = new Date((args.now ?? new Date()).getTime() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + VALIDITY_MS);
  const common = { keyType: 'ec' as const, curve: 'P-256' as const, algorithm: 'sha256', notBeforeDate, notAfterDate };
  const ca = await generate([{ name: 'commonName', value: 'kubectl-task sandbox CA' }], {
    ...common,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'kubectl-task sandbox' }], {
    ...common,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: args.hosts.map((h) => (isIP(h) !== 0 ? { type: 7 as const, ip: h } : { type: 2 as const, value: h })),
      },
    ],
  });
  return { caPem: ca.cert, certPem: server.cert, keyPem: server.private };
}
