/**
 * Real kubectl prints the Tables toTable builds (a minimal discovery + list server, plain HTTP).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import type { JsonObject } from '../../../src/json.ts';
import { writeKubeconfig } from '../../../src/sandbox/auth/kubeconfig.ts';
import { builtinColumns, toTable, type PrinterColumn } from '../../../src/sandbox/tables/table.ts';

const NOW = new Date('2026-11-25T02:00:00Z');
const TASK_COLUMNS: PrinterColumn[] = [
  { jsonPath: '.spec.state', name: 'Desired', type: 'string' },
  { jsonPath: '.status.state', name: 'Actual', type: 'string' },
  { jsonPath: '.metadata.creationTimestamp', name: 'Age', type: 'date' },
];
const TASKS: JsonObject[] = [
  {
    apiVersion: 'aliecs.alice.cern/v1alpha1',
    kind: 'Task',
    metadata: { name: 't1', namespace: 'rec', creationTimestamp: '2026-11-25T01:55:30Z' },
    spec: { state: 'running' },
    status: { state: 'RUNNING' },
  },
  {
    apiVersion: 'aliecs.alice.cern/v1alpha1',
    kind: 'Task',
    metadata: { name: 't2', namespace: 'rec', creationTimestamp: '2026-11-24T20:00:00Z' },
    spec: { state: 'standby' },
  },
];
const CONFIGMAPS: JsonObject[] = [
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'readout-config', namespace: 'rec', creationTimestamp: '2026-11-25T01:59:50Z' },
    data: { 'readout-cfg.ini': 'x', b: 'y' },
  },
];

const DISCOVERY: Record<string, JsonObject> = {
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:1' }] },
  '/apis': {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [
      {
        name: 'aliecs.alice.cern',
        versions: [{ groupVersion: 'aliecs.alice.cern/v1alpha1', version: 'v1alpha1' }],
        preferredVersion: { groupVersion: 'aliecs.alice.cern/v1alpha1', version: 'v1alpha1' },
      },
    ],
  },
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [{ name: 'configmaps', singularName: '', namespaced: true, kind: 'ConfigMap', verbs: ['get', 'list'], shortNames: ['cm'] }],
  },
  '/apis/aliecs.alice.cern/v1alpha1': {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: 'aliecs.alice.cern/v1alpha1',
    resources: [{ name: 'tasks', singularName: 'task', namespaced: true, kind: 'Task', verbs: ['get', 'list'] }],
  },
};

function handler(path: string, accept: string): JsonObject | undefined {
  if (DISCOVERY[path]) return DISCOVERY[path];
  if (!accept.includes('as=Table')) return undefined;
  if (path === '/apis/aliecs.alice.cern/v1alpha1/namespaces/rec/tasks') {
    return toTable({ objects: TASKS, columns: TASK_COLUMNS, now: NOW, includeObject: 'Metadata', resourceVersion: '10' });
  }
  if (path === '/api/v1/namespaces/rec/configmaps') {
    return toTable({
      objects: CONFIGMAPS,
      columns: builtinColumns('configmaps'),
      resource: 'configmaps',
      now: NOW,
      includeObject: 'Metadata',
      resourceVersion: '11',
    });
  }
  return undefined;
}

describe('sandbox/tables/table with real kubectl', function () {
  this.timeout(60_000);
  let server: Server | undefined;
  let dir = '';
  let kubeconfig = '';

  before(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = handler(url.pathname, String(req.headers.accept ?? ''));
      if (body === undefined) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          `${JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'not found', reason: 'NotFound', code: 404 })}\n`,
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(body)}\n`);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    dir = await mkdtemp(join(tmpdir(), 'sandbox-table-'));
    kubeconfig = join(dir, 'config');
    await writeKubeconfig(kubeconfig, {
      server: `http://127.0.0.1:${port}`,
      users: [{ context: 'admin', user: 'admin', token: 't' }],
      currentContext: 'admin',
      namespace: 'rec',
    });
  });

  after(async () => {
    server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const kubectl = (...args: string[]) => execa('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { reject: false });

  it('prints the CRD printer columns, an empty cell for a missing status and server-side ages', async () => {
    const r = await kubectl('get', 'tasks');
    expect(r.stderr).to.equal('');
    expect(r.stdout.split('\n')).to.deep.equal(['NAME   DESIRED   ACTUAL    AGE', 't1     running   RUNNING   4m30s', 't2     standby             6h']);
  });

  it('prints the configmap printer columns', async () => {
    const r = await kubectl('get', 'configmaps');
    expect(r.stderr).to.equal('');
    expect(r.stdout.split('\n').map((l) => l.trim().split(/\s+/))).to.deep.equal([
      ['NAME', 'DATA', 'AGE'],
      ['readout-config', '2', '10s'],
    ]);
  });
});
