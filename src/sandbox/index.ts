/**
 * startSandbox(): an in-memory Kubernetes API server that the real kubectl talks to as if it were
 * kube-apiserver 1.26, plus a kubeconfig with one context per user.
 *
 * A request's path, and the folder of each stage (README.md in this folder has the map):
 * http/server → http/handlers → api/reads, writes, patches, deletes, watch → api/admission → storage/store.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createAuthenticator,
  createAuthorization,
  DEFAULT_RULES,
  DEFAULT_USERS,
  generateToken,
  parseServiceAccount,
  serviceAccountIdentity,
  type AccessRule,
  type SandboxUser,
} from './auth/auth.ts';
import type { VersionInfo } from './discovery/legacy.ts';
import { Faults } from './http/faults.ts';
import { GarbageCollector } from './api/garbage-collector.ts';
import { writeKubeconfig } from './auth/kubeconfig.ts';
import { OpenApiCache } from './discovery/openapi.ts';
import { RequestLog } from './http/request-log.ts';
import { ResourceRegistry } from './registry/resources.ts';
import { SandboxServer } from './http/server.ts';
import { Store } from './storage/store.ts';
import { createCertificates } from './auth/tls.ts';
import type { SandboxState } from './api/state.ts';
import { SandboxStore } from './api/store-view.ts';
import { startFakeController, type FakeController } from './controller/index.ts';

export type { AccessRule, SandboxUser } from './auth/auth.ts';
export { serviceAccountIdentity } from './auth/auth.ts';
export type { VersionInfo } from './discovery/legacy.ts';
export type { FailNextOptions } from './http/faults.ts';
export type { RequestLogEntry, RequestMatch } from './http/request-log.ts';
export { Faults } from './http/faults.ts';
export { RequestLog } from './http/request-log.ts';
export { SandboxStore } from './api/store-view.ts';
export { startFakeController, type FakeController, type FakeControllerOptions } from './controller/index.ts';

export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** HTTPS with a fresh CA (default true). */
  tls?: boolean;
  /** Default: 'required' with TLS, 'none' (everyone is admin) over plain HTTP. */
  auth?: 'required' | 'none';
  /** Where to write the kubeconfig; default: a new temp dir. */
  kubeconfigPath?: string;
  /** Namespace of every context; created at start. Default 'default'. */
  namespace?: string;
  /** What /version reports; it decides which kubectl the Cloud SDK dispatcher runs. Default 1.26.1. */
  version?: VersionInfo;
  /** Users by context name; default admin (system:masters) and executor (see `executor`). */
  users?: Record<string, SandboxUser>;
  /**
   * Who the `executor` context is when `users` is not given. 'task-executor' (default): the user
   * task-executor, whom DEFAULT_RULES let run Tasks and their companions in every namespace.
   * `{ serviceAccount: 'NS/NAME' }`: that ServiceAccount's token identity
   * (`system:serviceaccount:NS:NAME`, groups `system:serviceaccounts[:NS]`) with no static rules
   * at all (unless `rules` says otherwise): it may do only what stored RoleBindings and
   * ClusterRoleBindings grant, as on a cluster after `kubectl apply -k manifests/`.
   */
  executor?: 'task-executor' | { serviceAccount: string };
  /**
   * Access rules by user or group name; default DEFAULT_RULES (none with an `executor` service
   * account). Roles, ClusterRoles and their bindings stored in the sandbox grant more, as RBAC
   * does (`rules: {}` leaves only those).
   */
  rules?: Record<string, AccessRule[]>;
  clock?: () => Date;
  /** How fault latency and connection outages wait; default a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Change events kept for watches that resume from an older resourceVersion. */
  watchHistory?: number;
  /**
   * Run the fake task manager in-process (over HTTP as admin): Tasks' status.state then follows
   * spec.state after `delayMs`. Off by default so API tests see only their own writes.
   */
  controller?: boolean | { delayMs?: number; log?: (line: string) => void };
}

export interface Sandbox {
  url: string;
  kubeconfigPath: string;
  caPem?: string;
  /** Bearer token per context. */
  tokens: Record<string, string>;
  faults: Faults;
  requestLog: RequestLog;
  store: SandboxStore;
  /** The in-process fake task manager, when `controller` was asked for. */
  controller?: FakeController;
  close(): Promise<void>;
}

export const DEFAULT_VERSION: VersionInfo = { major: '1', minor: '26', gitVersion: 'v1.26.1' };

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const tls = options.tls ?? true;
  const now = options.clock ?? (() => new Date());
  const namespace = options.namespace ?? 'default';
  const executorAccount = typeof options.executor === 'object' ? parseServiceAccount(options.executor.serviceAccount) : undefined;
  const executor = executorAccount === undefined ? DEFAULT_USERS.executor : serviceAccountIdentity(executorAccount.namespace, executorAccount.name);
  const users: Record<string, SandboxUser> = options.users ?? { admin: DEFAULT_USERS.admin, executor };
  // An executor service account gets nothing static: its rights come from stored bindings only.
  const rules = options.rules ?? (executorAccount === undefined ? DEFAULT_RULES : {});
  const tokens: Record<string, string> = {};
  const byToken: Record<string, SandboxUser> = {};
  const kubeconfigUsers: { context: string; user: string; token: string }[] = [];
  for (const [context, user] of Object.entries(users)) {
    const token = generateToken();
    tokens[context] = token;
    byToken[token] = user;
    kubeconfigUsers.push({ context, user: user.name, token });
  }
  const registry = new ResourceRegistry();
  let nextIP = 1;
  const state: SandboxState = {
    allocateClusterIP: () => {
      nextIP++;
      return `10.96.${Math.floor(nextIP / 256) % 256}.${nextIP % 256}`;
    },
    store: new Store({ historySize: options.watchHistory ?? 2000 }),
    registry,
    now,
  };
  const certs = tls ? await createCertificates({ hosts: [host, 'localhost'] }) : undefined;
  const faults = new Faults();
  const requestLog = new RequestLog();
  const server = new SandboxServer({
    host,
    port: options.port ?? 0,
    ...(certs !== undefined ? { tls: { certPem: certs.certPem, keyPem: certs.keyPem } } : {}),
    auth: options.auth ?? (tls ? 'required' : 'none'),
    adminUser: users['admin'] ?? DEFAULT_USERS.admin,
    authenticate: createAuthenticator(byToken),
    // Static rules plus RBAC from the Roles and bindings stored in the sandbox.
    authorization: createAuthorization(rules, state.store),
    state,
    openapi: new OpenApiCache(registry, now),
    faults,
    requestLog,
    version: options.version ?? DEFAULT_VERSION,
    sleep: options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
  });
  const store = new SandboxStore(state);
  const collector = new GarbageCollector(state);
  // The namespaces every cluster has from its first start (kube-apiserver's system namespace controller).
  for (const ns of new Set(['default', 'kube-node-lease', 'kube-public', 'kube-system', namespace])) {
    store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
  const port = await server.listen();
  const url = `${tls ? 'https' : 'http'}://${host}:${port}`;
  const kubeconfigPath = options.kubeconfigPath ?? join(await mkdtemp(join(tmpdir(), 'kubectl-task-sandbox-')), 'kubeconfig');
  await writeKubeconfig(kubeconfigPath, {
    server: url,
    ...(certs !== undefined ? { caPem: certs.caPem } : {}),
    users: kubeconfigUsers,
    currentContext: Object.hasOwn(users, 'admin') ? 'admin' : (Object.keys(users)[0] ?? ''),
    namespace,
  });
  const controllerOptions = options.controller === true ? {} : options.controller === false ? undefined : options.controller;
  const adminToken = tokens['admin'];
  const controller =
    controllerOptions === undefined
      ? undefined
      : await startFakeController({
          transport: {
            kind: 'http',
            url,
            ...(adminToken === undefined ? {} : { token: adminToken }),
            ...(certs === undefined ? {} : { caPem: certs.caPem }),
          },
          ...(controllerOptions.delayMs === undefined ? {} : { delayMs: controllerOptions.delayMs }),
          ...(controllerOptions.log === undefined ? {} : { log: controllerOptions.log }),
        });
  const sandbox: Sandbox = {
    url,
    kubeconfigPath,
    tokens,
    faults,
    requestLog,
    store,
    close: async () => {
      await controller?.stop();
      collector.stop();
      await server.close();
    },
  };
  if (certs !== undefined) sandbox.caPem = certs.caPem;
  if (controller !== undefined) sandbox.controller = controller;
  return sandbox;
}
