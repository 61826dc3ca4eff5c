/**
 * The real kubectl (/usr/bin/kubectl) through the runner against a tiny local HTTP server that
 * answers every request with one fault: the stderr kubectl really prints must classify right, and
 * only transient reasons may be retried. (Happy paths run against the sandbox API server.)
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubectlError } from '../../src/kubectl/errors.ts';
import { Kubectl } from '../../src/kubectl/runner.ts';
import type { AttemptEvent } from '../../src/kubectl/runner.ts';

type Fault = { status: number; body: string; contentType: string };

const UNAUTHORIZED = `${JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 })}\n`;

async function faultServer(fault: Fault): Promise<{ server: Server; port: number; requests: () => number }> {
  let count = 0;
  const server = createServer((_req, res) => {
    count++;
    res.writeHead(fault.status, { 'content-type': fault.contentType });
    res.end(fault.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, requests: () => count };
}

function kubeconfig(dir: string, port: number): string {
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: fault, cluster: {server: "http://127.0.0.1:${port}"}}]`,
      'users: [{name: someone, user: {token: not-a-real-token}}]',
      'contexts: [{name: fault, context: {cluster: fault, user: someone, namespace: rec}}]',
      'current-context: fault',
      '',
    ].join('\n'),
  );
  return file;
}

describe('kubectl/runner with the real kubectl against a fault server', function () {
  this.timeout(60_000); // safety net only
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubectl-fault-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function runAgainst(fault: Fault | 'closed-port'): Promise<{ error: KubectlError; events: AttemptEvent[]; requests: number }> {
    const events: AttemptEvent[] = [];
    const delays: number[] = [];
    let port = 1;
    let stop = async (): Promise<void> => {};
    let requests = (): number => 0;
    if (fault === 'closed-port') {
      const probe = await faultServer({ status: 200, body: '', contentType: 'text/plain' });
      port = probe.port;
      await new Promise((resolve) => probe.server.close(resolve));
    } else {
      const started = await faultServer(fault);
      port = started.port;
      requests = started.requests;
      stop = () => new Promise((resolve) => started.server.close(() => resolve()));
    }
    try {
      const k = new Kubectl({
        kubeconfig: kubeconfig(dir, port),
        context: 'fault',
        retry: { retries: 2, minTimeoutMs: 10, maxTimeoutMs: 10 },
        sleep: async (ms) => void delays.push(ms),
        onAttempt: (e) => events.push(e),
      });
      const error = await k.run(['get', 'configmap/cfg', '-o', 'json']).then(
        () => expect.fail('kubectl succeeded against a fault server'),
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(KubectlError);
      return { error: error as KubectlError, events, requests: requests() };
    } finally {
      await stop();
    }
  }

  it('503 → ServerError, retried: 3 attempts', async () => {
    const { error, events, requests } = await runAgainst({ status: 503, body: 'unavailable', contentType: 'text/plain' });
    expect(error.reason).to.equal('ServerError');
    expect(error.attempts).to.equal(3);
    expect(events.map((e) => e.willRetry)).to.deep.equal([true, true, false]);
    expect(requests).to.be.greaterThan(0);
    expect(error.result?.argv).to.include('--context=fault');
  });

  it('401 → Unauthorized, not retried', async () => {
    const { error, events } = await runAgainst({ status: 401, body: UNAUTHORIZED, contentType: 'application/json' });
    expect(error.reason).to.equal('Unauthorized');
    expect(error.attempts).to.equal(1);
    expect(events).to.have.length(1);
    expect(error.message).to.contain('You must be logged in to the server');
  });

  it('a closed port → Unreachable, retried', async () => {
    const { error } = await runAgainst('closed-port');
    expect(error.reason).to.equal('Unreachable');
    expect(error.attempts).to.equal(3);
  });
});
