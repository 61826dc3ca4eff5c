/** A tiny HTTP(S) client for tests that talk to the sandbox without kubectl. */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { startTestSandbox, type TestSandbox, type TestSandboxOptions } from '../helpers/sandbox.ts';

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: Record<string, unknown>;
}

export interface CallOptions {
  body?: unknown;
  contentType?: string;
  token?: string | null;
  accept?: string;
  headers?: Record<string, string>;
}

export function client(sb: Sandbox, defaultContext = 'admin') {
  return (method: string, path: string, o: CallOptions = {}): Promise<Response> =>
    new Promise((resolve, reject) => {
      const url = new URL(path, sb.url);
      const headers: Record<string, string> = { accept: o.accept ?? 'application/json', ...o.headers };
      const token = o.token === undefined ? sb.tokens[defaultContext] : o.token;
      if (token !== null && token !== undefined) headers['authorization'] = `Bearer ${token}`;
      let payload: Buffer | undefined;
      if (o.body !== undefined) {
        payload = Buffer.isBuffer(o.body) ? o.body : Buffer.from(typeof o.body === 'string' ? o.body : JSON.stringify(o.body));
        headers['content-type'] = o.contentType ?? 'application/json';
        headers['content-length'] = String(payload.length);
      }
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, { method, headers, ...(sb.caPem !== undefined ? { ca: sb.caPem } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            // not JSON (304, watch streams, plain text)
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
}

/** Opens a watch and collects its events until `stop()` or the server ends it. */
export function watch(sb: Sandbox, path: string, token = sb.tokens['admin']) {
  const events: { type: string; object: Record<string, unknown> }[] = [];
  let ended = false;
  let abort: () => void = () => {};
  const url = new URL(path, sb.url);
  const opened = new Promise<number>((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      { headers: { authorization: `Bearer ${token ?? ''}`, accept: 'application/json' }, ...(sb.caPem !== undefined ? { ca: sb.caPem } : {}) },
      (res) => {
        let buf = '';
        res.on('data', (c: Buffer) => {
          buf += c.toString();
          for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
            events.push(JSON.parse(buf.slice(0, nl)) as { type: string; object: Record<string, unknown> });
            buf = buf.slice(nl + 1);
          }
        });
        res.on('end', () => (ended = true));
        res.on('error', () => (ended = true));
        resolve(res.statusCode ?? 0);
      },
    );
    abort = () => req.destroy();
    req.on('error', (e) => {
      ended = true;
      reject(e);
    });
    req.end();
  });
  return {
    opened,
    events,
    get ended() {
      return ended;
    },
    stop: () => abort(),
  };
}

export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export type Call = ReturnType<typeof client>;

/**
 * A fresh sandbox for every test of the enclosing describe (mocha hooks), with an HTTP client
 * bound to its admin context. Read the fields inside tests, not at describe time.
 */
export function sandboxPerTest(options: TestSandboxOptions = {}): { readonly test: TestSandbox; readonly sandbox: Sandbox; readonly call: Call } {
  let current: { test: TestSandbox; call: Call } | undefined;
  beforeEach(async () => {
    const test = await startTestSandbox(options);
    current = { test, call: client(test.sandbox) };
  });
  afterEach(async () => {
    await current?.test.cleanup();
    current = undefined;
  });
  const get = () => {
    if (current === undefined) throw new Error('sandboxPerTest: used outside a test');
    return current;
  };
  return {
    get test() {
      return get().test;
    },
    get sandbox() {
      return get().test.sandbox;
    },
    get call() {
      return get().call;
    },
  };
}
