import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TaskEvent } from '../../../src/sandbox/controller/controller.ts';
import { HttpStatusWriter, HttpTaskSource, TASKS_API } from '../../../src/sandbox/controller/http.ts';
import { createNodeHttpClient, type HttpClient, type HttpRequest, type HttpResponse, type StreamEnd } from '../../../src/sandbox/controller/http-client.ts';

interface PendingStream {
  path: string;
  onLine: (line: string) => void;
  end: (end: StreamEnd) => void;
}

/** Scripted client: list answers come from a queue, watches stay open until the test ends them. */
class FakeClient implements HttpClient {
  readonly requests: HttpRequest[] = [];
  readonly lists: HttpResponse[] = [];
  readonly streams: PendingStream[] = [];
  patchAnswer: HttpResponse = { status: 200, body: '{}' };

  async request(req: HttpRequest): Promise<HttpResponse> {
    this.requests.push(req);
    if (req.method === 'PATCH') return this.patchAnswer;
    return this.lists.shift() ?? { status: 500, body: '{"message":"no scripted answer"}' };
  }

  streamLines(path: string, onLine: (line: string) => void, signal: AbortSignal): Promise<StreamEnd> {
    return new Promise((resolve) => {
      this.streams.push({ path, onLine, end: resolve });
      signal.addEventListener('abort', () => resolve({ kind: 'aborted' }));
    });
  }

  close(): void {}
}

const tick = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

function list(rv: string, names: string[]): HttpResponse {
  const items = names.map((name) => ({ metadata: { name, namespace: 'ns', resourceVersion: rv }, spec: { state: 'standby' } }));
  return { status: 200, body: JSON.stringify({ kind: 'TaskList', metadata: { resourceVersion: rv }, items }) };
}

describe('sandbox/controller/http transport', () => {
  it('waits for the CRD (404 → retry every 250 ms), lists, then watches from the list resourceVersion', async () => {
    const client = new FakeClient();
    const sleeps: number[] = [];
    const source = new HttpTaskSource({
      client,
      namespace: 'ns',
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    client.lists.push({ status: 404, body: '{"message":"the server could not find the requested resource"}' }, list('7', ['a']));
    const events: TaskEvent[] = [];
    source.start((event) => events.push(event));
    await tick();
    expect(sleeps).to.deep.equal([250]);
    expect(client.requests.map((r) => r.path)).to.deep.equal([`${TASKS_API}/namespaces/ns/tasks`, `${TASKS_API}/namespaces/ns/tasks`]);
    expect(events).to.have.length(1);
    expect(events[0]?.type).to.equal('sync');
    const watch = client.streams[0];
    if (watch === undefined) throw new Error('no watch was opened');
    expect(watch.path).to.equal(`${TASKS_API}/namespaces/ns/tasks?watch=true&allowWatchBookmarks=true&resourceVersion=7`);
    watch.onLine(JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'a', namespace: 'ns' } } }));
    watch.onLine(JSON.stringify({ type: 'DELETED', object: { metadata: { name: 'a', namespace: 'ns' } } }));
    watch.onLine(JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } }));
    expect(events.map((e) => e.type)).to.deep.equal(['sync', 'upsert', 'delete']);
    await source.stop();
  });

  it('relists after a 410 ERROR event and lists all namespaces without a namespace', async () => {
    const client = new FakeClient();
    const source = new HttpTaskSource({ client, sleep: async () => {} });
    client.lists.push(list('1', ['a']), list('20', ['b']));
    const events: TaskEvent[] = [];
    source.start((event) => events.push(event));
    await tick();
    expect(client.requests[0]?.path).to.equal(`${TASKS_API}/tasks`);
    client.streams[0]?.onLine(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } }));
    client.streams[0]?.end({ kind: 'ended' });
    await tick();
    expect(client.streams[1]?.path).to.contain('resourceVersion=20');
    expect(events.filter((e) => e.type === 'sync')).to.have.length(2);
    await source.stop();
  });

  it('writes status with a merge patch on the status subresource', async () => {
    const client = new FakeClient();
    const writer = new HttpStatusWriter(client);
    client.patchAnswer = { status: 200, body: JSON.stringify({ metadata: { name: 't1' }, status: { state: 'running' } }) };
    const ok = await writer.writeStatus({ namespace: 'ns', name: 't1' }, { state: 'running' });
    expect(ok).to.deep.equal({ kind: 'written', object: { metadata: { name: 't1' }, status: { state: 'running' } } });
    expect(client.requests[0]).to.deep.equal({
      method: 'PATCH',
      path: `${TASKS_API}/namespaces/ns/tasks/t1/status`,
      body: '{"status":{"state":"running"}}',
      contentType: 'application/merge-patch+json',
    });
    client.patchAnswer = { status: 404, body: '{}' };
    expect(await writer.writeStatus({ namespace: 'ns', name: 't1' }, { state: 'running' })).to.deep.equal({ kind: 'gone' });
    client.patchAnswer = { status: 403, body: '{"message":"forbidden: cannot patch"}' };
    const failed = await writer.writeStatus({ namespace: 'ns', name: 't1' }, { state: 'running' });
    expect(failed).to.deep.equal({ kind: 'failed', message: `PATCH ${TASKS_API}/namespaces/ns/tasks/t1/status: HTTP 403: forbidden: cannot patch` });
  });

  it('node client: sends the bearer token, splits streamed lines and stops on abort', async () => {
    const seen: { auth: string | undefined; url: string | undefined }[] = [];
    const server = http.createServer((req, res) => {
      seen.push({ auth: req.headers['authorization'], url: req.url });
      if (req.url?.includes('watch=true')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"type":"ADDED"}\n{"type":');
        setTimeout(() => res.write('"MODIFIED"}\n'), 10);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = createNodeHttpClient({ url: `http://127.0.0.1:${port}`, token: 'secret-token' });
    try {
      expect(await client.request({ method: 'GET', path: '/x' })).to.deep.equal({ status: 200, body: '{"ok":true}' });
      const abort = new AbortController();
      const lines: string[] = [];
      const ended = client.streamLines(
        '/w?watch=true',
        (line) => {
          lines.push(line);
          if (lines.length === 2) abort.abort();
        },
        abort.signal,
      );
      expect(await ended).to.deep.equal({ kind: 'aborted' });
      expect(lines).to.deep.equal(['{"type":"ADDED"}', '{"type":"MODIFIED"}']);
      expect(seen.map((s) => s.auth)).to.deep.equal(['Bearer secret-token', 'Bearer secret-token']);
    } finally {
      client.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
