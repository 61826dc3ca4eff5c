/**
 * Minimal keep-alive HTTP(S) client for the fake controller's direct transport. node:http(s)
 * rather than global fetch because a private CA (the sandbox's self-signed one) cannot be passed
 * to fetch without importing undici. The bearer token goes only into the Authorization header,
 * never into errors or logs.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

export interface HttpRequest {
  readonly method: 'GET' | 'PATCH' | 'POST' | 'DELETE';
  /** Path and query, e.g. `/apis/...?watch=true`. */
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;
}

export type StreamEnd =
  | { readonly kind: 'ended' }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'http-error'; readonly status: number; readonly body: string }
  | { readonly kind: 'network-error'; readonly message: string };

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
  /** GET a streaming response, calling onLine for each complete line until it ends or is aborted. */
  streamLines(path: string, onLine: (line: string) => void, signal: AbortSignal): Promise<StreamEnd>;
  close(): void;
}

export interface NodeHttpClientOptions {
  /** Base URL of the API server, e.g. `https://127.0.0.1:6443`. */
  readonly url: string;
  readonly token?: string;
  readonly caPem?: string;
}

export function createNodeHttpClient(options: NodeHttpClientOptions): HttpClient {
  const base = new URL(options.url);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new Error(`fake controller: transport url must be http(s), got protocol ${base.protocol}`);
  }
  const secure = base.protocol === 'https:';
  const agent = secure
    ? new https.Agent({ keepAlive: true, ...(options.caPem === undefined ? {} : { ca: options.caPem }) })
    : new http.Agent({ keepAlive: true });
  const basePath = base.pathname.replace(/\/+$/, '');

  function open(req: HttpRequest): http.ClientRequest {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'kubectl-task-fake-controller' };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    if (req.body !== undefined) {
      headers['content-type'] = req.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(req.body));
    }
    const requestOptions: https.RequestOptions = {
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port,
      method: req.method,
      path: basePath + req.path,
      headers,
      agent,
    };
    return secure ? https.request(requestOptions) : http.request(requestOptions);
  }

  return {
    request(req) {
      return new Promise((resolve, reject) => {
        const outgoing = open(req);
        outgoing.on('error', (error) => reject(new Error(`${req.method} ${req.path}: ${error.message}`)));
        outgoing.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) => reject(new Error(`${req.method} ${req.path}: ${error.message}`)));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        });
        outgoing.end(req.body);
      });
    },

    streamLines(path, onLine, signal) {
      return new Promise((resolve) => {
        if (signal.aborted) {
          resolve({ kind: 'aborted' });
          return;
        }
        const outgoing = open({ method: 'GET', path });
        let settled = false;
        const finish = (end: StreamEnd): void => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          resolve(end);
        };
        const onAbort = (): void => {
          finish({ kind: 'aborted' });
          outgoing.destroy();
        };
        signal.addEventListener('abort', onAbort);
        outgoing.on('error', (error) => finish({ kind: 'network-error', message: error.message }));
        outgoing.on('response', (res) => {
          const status = res.statusCode ?? 0;
          if (status !== 200) {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => finish({ kind: 'http-error', status, body: Buffer.concat(chunks).toString('utf8') }));
            return;
          }
          let buffered = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffered += chunk;
            let newline = buffered.indexOf('\n');
            while (newline >= 0) {
              const line = buffered.slice(0, newline).trim();
              buffered = buffered.slice(newline + 1);
              if (line !== '' && !settled) onLine(line);
              newline = buffered.indexOf('\n');
            }
          });
          res.on('error', (error) => finish({ kind: 'network-error', message: error.message }));
          res.on('end', () => {
            const rest = buffered.trim();
            if (rest !== '' && !settled) onLine(rest);
            finish({ kind: 'ended' });
          });
          res.on('close', () => finish({ kind: 'ended' }));
        });
        outgoing.end();
      });
    },

    close() {
      agent.destroy();
    },
  };
}
