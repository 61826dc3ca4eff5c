/**
 * Sandbox throughput benchmark (`npx tsx bench/sandbox-throughput.ts`). Measures, over plain HTTP
 * and over TLS: simple GETs/s of one Task with N parallel keep-alive clients (in a worker thread,
 * so the load generator does not share the sandbox's event loop), and the wall time of
 * `kubectl get tasks` in a namespace holding 500 Tasks vs one holding 1 Task. Bounded in time and
 * request count; talks only to 127.0.0.1. Writes bench/results/sandbox-throughput.md.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parse } from 'yaml';
import { Kubectl } from '../src/kubectl/runner.ts';
import { startSandbox } from '../src/sandbox/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The CRD kubectl-task installs, so the bench runs in any checkout (the upstream one is not in the repo).
const CRD_PATH = path.join(ROOT, 'manifests', 'task-crd.yaml');
const RESULTS = path.join(ROOT, 'bench', 'results', 'sandbox-throughput.md');
const TASKS_API = '/apis/aliecs.alice.cern/v1alpha1';

const CLIENTS = Number(process.env['BENCH_CLIENTS'] ?? 8);
const GET_SECONDS = Number(process.env['BENCH_GET_SECONDS'] ?? 5);
/** Safety bound on the request count whatever the duration. */
const GET_MAX_REQUESTS = 500_000;
const MANY_TASKS = 500;
const KUBECTL_RUNS = Number(process.env['BENCH_KUBECTL_RUNS'] ?? 5);
const KUBECTL = process.env['BENCH_KUBECTL'] ?? '/usr/bin/kubectl';

interface Api {
  readonly url: string;
  readonly token: string;
  readonly caPem?: string;
}

interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

interface ModeResult {
  readonly mode: 'http' | 'https';
  readonly load: LoadResult;
  readonly kubectlOneMs: number;
  readonly kubectlManyMs: number;
}

/** Plain JS so the worker needs no TypeScript loader. */
const LOAD_WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const http = require('node:http');
const https = require('node:https');
const { url, token, caPem, path, clients, seconds, maxRequests } = workerData;
const base = new URL(url);
const secure = base.protocol === 'https:';
const agent = secure ? new https.Agent({ keepAlive: true, maxSockets: clients, ca: caPem }) : new http.Agent({ keepAlive: true, maxSockets: clients });
const lib = secure ? https : http;
const headers = { accept: 'application/json', authorization: 'Bearer ' + token };
let sent = 0, errors = 0;
const latencies = [];
const deadline = Date.now() + seconds * 1000;
function once() {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = lib.request({ hostname: base.hostname, port: base.port, path, method: 'GET', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) errors++;
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        resolve();
      });
    });
    req.on('error', () => { errors++; resolve(); });
    req.end();
  });
}
async function client() {
  while (Date.now() < deadline && sent < maxRequests) { sent++; await once(); }
}
(async () => {
  for (let i = 0; i < 50; i++) await once(); // warm-up: connections, JIT
  latencies.length = 0; errors = 0; sent = 0;
  const start = Date.now();
  await Promise.all(Array.from({ length: clients }, client));
  const secondsTaken = (Date.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] || 0;
  agent.destroy();
  parentPort.postMessage({ requests: latencies.length, errors, seconds: secondsTaken, p50Ms: at(0.5), p99Ms: at(0.99) });
})();
`;

function runLoad(api: Api, requestPath: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_WORKER, {
      eval: true,
      workerData: {
        url: api.url,
        token: api.token,
        caPem: api.caPem,
        path: requestPath,
        clients: CLIENTS,
        seconds: GET_SECONDS,
        maxRequests: GET_MAX_REQUESTS,
      },
    });
    worker.once('message', (message: LoadResult) => resolve(message));
    worker.once('error', reject);
  });
}

function request(api: Api, agent: http.Agent, method: string, requestPath: string, body?: unknown): Promise<{ status: number; body: string }> {
  const base = new URL(api.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${api.token}` };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const lib = base.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request({ hostname: base.hostname, port: base.port, path: requestPath, method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function mustCreate(api: Api, agent: http.Agent, requestPath: string, body: unknown): Promise<void> {
  const res = await request(api, agent, 'POST', requestPath, body);
  if (res.status !== 201 && res.status !== 200) throw new Error(`bench: POST ${requestPath} answered ${res.status}: ${res.body.slice(0, 300)}`);
}

function task(namespace: string, name: string): unknown {
  return {
    apiVersion: 'aliecs.alice.cern/v1alpha1',
    kind: 'Task',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'kubectl-task' } },
    spec: { state: 'standby', control: { mode: 'direct', port: 31000 } },
  };
}

/** CRD, two namespaces, 1 and 500 Tasks, all over the HTTP API (not 500 kubectl calls). */
async function seed(api: Api, agent: http.Agent): Promise<void> {
  const crd: unknown = parse(await readFile(CRD_PATH, 'utf8'));
  await mustCreate(api, agent, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  for (const ns of ['bench-one', 'bench-many']) {
    await mustCreate(api, agent, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
  // The CRD may take a moment to be served: retry the first Task until it lands.
  for (let attempt = 0; ; attempt++) {
    const res = await request(api, agent, 'POST', `${TASKS_API}/namespaces/bench-one/tasks`, task('bench-one', 't1'));
    if (res.status === 201) break;
    if (attempt > 40) throw new Error(`bench: creating Task bench-one/t1 keeps failing: ${res.status} ${res.body.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const names = Array.from({ length: MANY_TASKS }, (_, i) => `t${String(i).padStart(3, '0')}`);
  const workers = Array.from({ length: 16 }, async () => {
    for (let name = names.shift(); name !== undefined; name = names.shift()) {
      await mustCreate(api, agent, `${TASKS_API}/namespaces/bench-many/tasks`, task('bench-many', name));
    }
  });
  await Promise.all(workers);
}

async function timeKubectl(kubectl: Kubectl, namespace: string, cacheDir: string): Promise<number> {
  const args = [`--cache-dir=${cacheDir}`, 'get', 'tasks', '-n', namespace];
  await kubectl.run(args); // warm-up: discovery cache
  const times: number[] = [];
  for (let i = 0; i < KUBECTL_RUNS; i++) {
    const started = performance.now();
    const result = await kubectl.run(args);
    times.push(performance.now() - started);
    const lines = result.stdout.trim().split('\n').length - 1;
    const expected = namespace === 'bench-many' ? MANY_TASKS : 1;
    if (lines !== expected) throw new Error(`bench: kubectl get tasks -n ${namespace} printed ${lines} rows, expected ${expected}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

async function measure(mode: 'http' | 'https'): Promise<ModeResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-sandbox-'));
  const cacheDir = path.join(dir, 'cache');
  const sandbox = await startSandbox({ tls: mode === 'https', kubeconfigPath: path.join(dir, 'kubeconfig') });
  const token = sandbox.tokens['admin'];
  if (token === undefined) throw new Error('bench: the sandbox has no admin token');
  const api: Api = { url: sandbox.url, token, ...(sandbox.caPem === undefined ? {} : { caPem: sandbox.caPem }) };
  const agent =
    mode === 'https' ? new https.Agent({ keepAlive: true, ...(api.caPem === undefined ? {} : { ca: api.caPem }) }) : new http.Agent({ keepAlive: true });
  try {
    await seed(api, agent);
    // The load must measure real answers: one GET first, checked for status and content.
    const probe = await request(api, agent, 'GET', `${TASKS_API}/namespaces/bench-one/tasks/t1`);
    if (probe.status !== 200 || !probe.body.includes('"name":"t1"')) {
      throw new Error(`bench: GET of Task bench-one/t1 answered ${probe.status}: ${probe.body.slice(0, 300)}`);
    }
    const load = await runLoad(api, `${TASKS_API}/namespaces/bench-one/tasks/t1`);
    const kubectl = new Kubectl({ binary: KUBECTL, kubeconfig: sandbox.kubeconfigPath, retry: false, timeoutMs: 60_000 });
    const kubectlOneMs = await timeKubectl(kubectl, 'bench-one', cacheDir);
    const kubectlManyMs = await timeKubectl(kubectl, 'bench-many', cacheDir);
    return { mode, load, kubectlOneMs, kubectlManyMs };
  } finally {
    agent.destroy();
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function kubectlVersion(): Promise<string> {
  try {
    const result = await new Kubectl({ binary: KUBECTL, retry: false }).run(['version', '--client', '-o', 'json']);
    const parsed: unknown = JSON.parse(result.stdout);
    const info = typeof parsed === 'object' && parsed !== null && 'clientVersion' in parsed ? parsed.clientVersion : undefined;
    return typeof info === 'object' && info !== null && 'gitVersion' in info ? String(info.gitVersion) : 'unknown';
  } catch {
    return 'unknown';
  }
}

function report(results: readonly ModeResult[], kubectlVersionText: string): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    '# Sandbox throughput (measured)',
    '',
    `Measured ${new Date().toISOString()} on ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}.`,
    `kubectl: ${KUBECTL} (${kubectlVersionText}). Load: ${CLIENTS} keep-alive clients in a worker thread for ${GET_SECONDS} s; kubectl: median of ${KUBECTL_RUNS} runs after one warm-up (discovery cache filled).`,
    'The machine is shared (other processes were running): treat the numbers as indicative.',
    '',
    '| transport | GET one Task (req/s) | p50 / p99 latency (ms) | errors | `kubectl get tasks`, 1 Task (ms) | same, 500 Tasks (ms) | ratio 500/1 |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    const rps = r.load.requests / r.load.seconds;
    lines.push(
      `| ${r.mode === 'https' ? 'HTTPS (TLS)' : 'HTTP'} | ${rps.toFixed(0)} | ${r.load.p50Ms.toFixed(2)} / ${r.load.p99Ms.toFixed(2)} | ${r.load.errors} | ${r.kubectlOneMs.toFixed(0)} | ${r.kubectlManyMs.toFixed(0)} | ${(r.kubectlManyMs / r.kubectlOneMs).toFixed(2)} |`,
    );
  }
  lines.push('', 'Target: at least 1000 GETs/s over keep-alive HTTP.', '');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const results: ModeResult[] = [];
  for (const mode of ['http', 'https'] as const) {
    process.stdout.write(`bench: measuring over ${mode}...\n`);
    results.push(await measure(mode));
  }
  const text = report(results, await kubectlVersion());
  await mkdir(path.dirname(RESULTS), { recursive: true });
  await writeFile(RESULTS, text);
  process.stdout.write(`${text}\nwritten to ${path.relative(ROOT, RESULTS)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
