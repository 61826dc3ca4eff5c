/**
 * The HTTP(S) front: keep-alive server, faults, bearer-token authentication (401 on every path),
 * non-resource paths (version, discovery, openapi) and the request log. Resource requests go to
 * handlers.ts.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { AuthenticationOutcome, RequestAttributes, SandboxUser } from './auth.ts';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionDocument, type VersionInfo } from './discovery.ts';
import type { Faults } from './faults.ts';
import { handleResource, type Reply } from './handlers.ts';
import { timestamp, type SandboxState } from './objects.ts';
import type { RequestLog } from './request-log.ts';
import { route, type Route } from './router.ts';
import { ApiError, internalError, notFoundPath, unauthorized } from './status.ts';
import { WatchHub } from './watch.ts';

export interface ServerOptions {
  host: string;
  port: number;
  tls?: { certPem: string; keyPem: string };
  /** 'none': every request acts as `admin` (plain HTTP, where kubectl sends no token). */
  auth: 'required' | 'none';
  adminUser: SandboxUser;
  authenticate: (header: string | undefined) => AuthenticationOutcome;
  authorize: (user: SandboxUser, attrs: RequestAttributes) => boolean;
  state: SandboxState;
  faults: Faults;
  requestLog: RequestLog;
  version: VersionInfo;
  maxBodyBytes?: number;
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-cache, private' };

function httpDate(d: Date): string {
  return d.toUTCString();
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error(`request body larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function warningHeader(texts: string[]): string[] {
  return texts.map((t) => `299 - ${JSON.stringify(t)}`);
}

export class SandboxServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  readonly hub = new WatchHub();
  private boundPort = 0;
  private readonly started = timestamp(new Date());

  constructor(private readonly o: ServerOptions) {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      void this.handle(req, res);
    };
    this.server = o.tls !== undefined ? createHttpsServer({ cert: o.tls.certPem, key: o.tls.keyPem }, handler) : createHttpServer(handler);
    this.server.keepAliveTimeout = 60_000;
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('secureConnection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    o.faults.attach({ closeWatches: () => this.hub.closeAll(), refuseConnections: (ms) => this.refuse(ms) });
  }

  get port(): number {
    return this.boundPort;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port, this.o.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address();
    this.boundPort = typeof addr === 'object' && addr !== null ? addr.port : this.o.port;
    return this.boundPort;
  }

  private dropConnections(): void {
    this.hub.closeAll();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private async refuse(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.dropConnections();
    });
    await new Promise((r) => setTimeout(r, ms));
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.boundPort, this.o.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      if (!this.server.listening) resolve();
      else this.server.close(() => resolve());
    });
    this.dropConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = req.method ?? 'GET';
    let userName = 'system:anonymous';
    let verb = '';
    const log = (status: number): void => {
      this.o.requestLog.add({
        method, path: url.pathname, query: url.search.replace(/^\?/, ''), status, user: userName,
        userAgent: req.headers['user-agent'] ?? '', verb, ms: performance.now() - started,
      });
    };
    try {
      const decision = this.o.faults.decide({ method, path: url.pathname });
      if (decision.delayMs > 0) await new Promise((r) => setTimeout(r, decision.delayMs));
      if (decision.failure !== undefined) throw decision.failure;
      let user = this.o.adminUser;
      if (this.o.auth === 'required') {
        const outcome = this.o.authenticate(req.headers.authorization);
        if (outcome === 'invalid' || outcome === 'anonymous') {
          userName = outcome === 'invalid' ? 'invalid' : 'system:anonymous';
          throw unauthorized();
        }
        user = outcome;
      }
      userName = user.name;
      const r = route(method, url.pathname, url.searchParams);
      if (r.kind === 'resource') verb = r.verb;
      const body = method === 'GET' || method === 'HEAD' ? '' : await readBody(req, this.o.maxBodyBytes ?? 32 * 1024 * 1024);
      if (r.kind === 'resource') {
        const reply = handleResource(
          { state: this.o.state, hub: this.hub, authorize: this.o.authorize },
          { req: r, query: url.searchParams, http: req, res, user, body },
        );
        if (reply === undefined) {
          // Logged when the stream starts, so tests can wait for a watch to be established.
          log(200);
          return;
        }
        this.send(res, reply);
        log(reply.status);
        return;
      }
      log(this.nonResource(r, req, res, url));
    } catch (e) {
      const err = e instanceof ApiError ? e : internalError(e instanceof Error ? e.message : String(e));
      if (!res.headersSent) {
        const payload = `${JSON.stringify(err.body)}\n`;
        res.writeHead(err.code, { ...JSON_HEADERS, ...err.headers, 'content-length': Buffer.byteLength(payload) });
        res.end(payload);
      } else res.end();
      log(err.code);
    }
  }

  private send(res: ServerResponse, reply: Reply): void {
    const payload = `${reply.json}\n`;
    const headers: Record<string, string | number | string[]> = { ...JSON_HEADERS, 'content-length': Buffer.byteLength(payload) };
    if (reply.warnings.length > 0) headers['warning'] = warningHeader(reply.warnings);
    res.writeHead(reply.status, headers);
    res.end(payload);
  }

  private json(res: ServerResponse, status: number, body: unknown): number {
    const payload = `${JSON.stringify(body)}\n`;
    res.writeHead(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
    return status;
  }

  /** Discovery, version and openapi; returns the status sent. */
  private nonResource(r: Exclude<Route, { kind: 'resource' }>, req: IncomingMessage, res: ServerResponse, url: URL): number {
    const { registry, openapi } = this.o.state;
    switch (r.kind) {
      case 'version': {
        const body = versionDocument(this.o.version, this.started);
        res.writeHead(200, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return 200;
      }
      case 'health':
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache, private' });
        res.end('ok');
        return 200;
      case 'api':
        return this.json(res, 200, apiVersions(`${this.o.host}:${this.boundPort}`));
      case 'apis':
        return this.json(res, 200, apiGroupList(registry));
      case 'group': {
        const g = apiGroup(registry, r.group);
        if (g === undefined) throw notFoundPath();
        return this.json(res, 200, g);
      }
      case 'groupVersion': {
        const list = apiResourceList(registry, r.group, r.version);
        if (list === undefined) throw notFoundPath();
        return this.json(res, 200, list);
      }
      case 'openapiV3Root': {
        const root = openapi.root();
        const since = req.headers['if-modified-since'];
        if (since !== undefined && Date.parse(since) >= root.lastModified.getTime()) {
          res.writeHead(304, { 'cache-control': 'no-cache, private', 'last-modified': httpDate(root.lastModified) });
          res.end();
          return 304;
        }
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache, private', 'last-modified': httpDate(root.lastModified), 'content-length': Buffer.byteLength(root.body) });
        res.end(root.body);
        return 200;
      }
      case 'openapiV3Doc': {
        const doc = openapi.document(r.path);
        if (doc === undefined) throw notFoundPath();
        const hash = url.searchParams.get('hash');
        if (hash !== null && hash !== doc.hash) {
          res.writeHead(301, { location: `/openapi/v3/${doc.path}?hash=${doc.hash}`, 'cache-control': 'no-cache, private' });
          res.end();
          return 301;
        }
        const etag = `"${doc.hash}"`;
        const headers: Record<string, string> = { etag, vary: 'Accept', 'last-modified': httpDate(doc.lastModified) };
        if (hash !== null) {
          headers['cache-control'] = 'public, immutable';
          headers['expires'] = httpDate(new Date(this.o.state.now().getTime() + 365 * 24 * 3600 * 1000));
        } else headers['cache-control'] = 'no-cache, private';
        if (req.headers['if-none-match'] === etag) {
          res.writeHead(304, headers);
          res.end();
          return 304;
        }
        res.writeHead(200, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(doc.body) });
        res.end(doc.body);
        return 200;
      }
      case 'openapiV2':
        // Not served: kubectl falls back to its built-in knowledge (merge patch for CRs, compiled-in
        // strategic-merge metadata for built-ins).
        throw notFoundPath();
      case 'unknown':
        throw notFoundPath();
    }
  }
}
