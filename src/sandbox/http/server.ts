/**
 * The HTTP(S) front: keep-alive server, faults, bearer-token authentication (401 on every path),
 * non-resource paths (version, discovery, openapi) and the request log. Resource requests go to
 * handlers.ts.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { ANONYMOUS_USER, forbiddenMessage, type AuthenticationOutcome, type Authorization, type RequestAttributes, type SandboxUser } from '../auth/auth.ts';
import { impersonate } from '../auth/impersonation.ts';
import type { VersionInfo } from '../discovery/legacy.ts';
import type { Faults } from './faults.ts';
import { handleResource, type Reply } from './handlers.ts';
import { timestamp } from '../core/objects.ts';
import type { RequestLog } from './request-log.ts';
import { serveNonResource } from '../discovery/non-resource.ts';
import { route } from '../core/request-info.ts';
import { ApiError, failure, internalError, unauthorized } from '../core/status.ts';
import { WatchHub } from '../api/watch.ts';
import type { SandboxState } from '../api/state.ts';
import type { OpenApiCache } from '../discovery/openapi.ts';

export interface ServerOptions {
  host: string;
  port: number;
  tls?: { certPem: string; keyPem: string };
  /** 'none': every request acts as `admin` (plain HTTP, where kubectl sends no token). */
  auth: 'required' | 'none';
  adminUser: SandboxUser;
  authenticate: (header: string | undefined) => AuthenticationOutcome;
  authorization: Authorization;
  state: SandboxState;
  /** The /openapi documents (non-resource paths only). */
  openapi: OpenApiCache;
  faults: Faults;
  requestLog: RequestLog;
  version: VersionInfo;
  maxBodyBytes?: number;
  /** Waits for fault latency and connection outages (tests inject one they control). */
  sleep: (ms: number) => Promise<void>;
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-cache, private' };

/** The apiserver's default MaxRequestBodyBytes (genericapiserver Config). */
const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/**
 * limitedReadBody: a body over the limit is a 413 "Request entity too large: limit is N". The
 * rest is drained, not cut off, so the client reads the answer instead of a reset connection.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => {
      const message = `Request entity too large: limit is ${limit}`;
      if (size > limit) reject(new ApiError(413, failure({ code: 413, reason: 'RequestEntityTooLarge', message })));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/** Non-resource requests are authorized on their path and lower-case HTTP method (HEAD counts as get). */
function authorizePath(authorization: Authorization, user: SandboxUser, method: string, path: string): void {
  const attrs: RequestAttributes = { verb: method === 'HEAD' ? 'get' : method.toLowerCase(), resource: '', apiGroup: '', path };
  if (authorization.allows(user, attrs)) return;
  throw new ApiError(403, failure({ code: 403, reason: 'Forbidden', message: forbiddenMessage(user, attrs), details: {} }));
}

function warningHeader(texts: string[]): string[] {
  return texts.map((t) => `299 - ${JSON.stringify(t)}`);
}

export class SandboxServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  readonly hub = new WatchHub();
  private boundPort = 0;
  private readonly started: string;

  constructor(private readonly o: ServerOptions) {
    this.started = timestamp(o.state.now());
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
    o.faults.attach({
      closeWatches: () => this.hub.closeAll(),
      expireWatches: () => {
        o.state.store.compact();
        this.hub.expireAll();
      },
      refuseConnections: (ms) => this.refuse(ms),
    });
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
    await this.o.sleep(ms);
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
        method,
        path: url.pathname,
        query: url.search.replace(/^\?/, ''),
        status,
        user: userName,
        userAgent: req.headers['user-agent'] ?? '',
        verb,
        ms: performance.now() - started,
      });
    };
    try {
      const decision = this.o.faults.decide({ method, path: url.pathname });
      if (decision.delayMs > 0) await this.o.sleep(decision.delayMs);
      if (decision.failure !== undefined) throw decision.failure;
      let user = this.o.adminUser;
      if (this.o.auth === 'required') {
        const outcome = this.o.authenticate(req.headers.authorization);
        if (outcome === 'invalid') {
          userName = 'invalid';
          throw unauthorized();
        }
        // No credentials at all is the anonymous user (anonymous auth is on by default); RBAC then
        // lets it read only /version and the health checks.
        user = outcome === 'anonymous' ? ANONYMOUS_USER : outcome;
      }
      // `kubectl --as`: the rest of the request acts as the impersonated user, if this one may.
      userName = user.name;
      user = impersonate(user, req.headers, this.o.authorization);
      userName = user.name;
      const r = route(method, url.pathname, url.searchParams);
      if (r.kind === 'resource') verb = r.verb;
      else authorizePath(this.o.authorization, user, method, url.pathname);
      const body = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req, this.o.maxBodyBytes ?? MAX_REQUEST_BODY_BYTES);
      if (r.kind === 'resource') {
        const reply = handleResource(
          { state: this.o.state, hub: this.hub, authorization: this.o.authorization },
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
      const { state, openapi, version } = this.o;
      const serverAddress = `${this.o.host}:${this.boundPort}`;
      log(serveNonResource({ route: r, req, res, url, registry: state.registry, openapi, version, started: this.started, now: state.now(), serverAddress }));
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
}
