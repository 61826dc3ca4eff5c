/**
 * What the security suites share: a sandbox whose `executor` token is the executor ServiceAccount
 * of manifests/ with no static rules (its rights come only from what `kubectl apply -k manifests/`
 * binds), the real kubectl and the product's own CLI run as child processes, and a recording
 * `kubectl` first on PATH that keeps the argv and environment of every kubectl the product starts.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT, startTestSandbox, type TestSandbox, type TestSandboxOptions } from '../helpers/sandbox.ts';

export const BIN = join(REPO_ROOT, 'bin', 'kubectl-task.js');
export const MANIFESTS = join(REPO_ROOT, 'manifests');
export const SECRETS_OPT_IN = join(MANIFESTS, 'executor-secrets-rbac.yaml');
/** The namespace manifests/kustomization.yaml installs into. */
export const TASK_NS = 'o2-tasks';
export const EXECUTOR_SA = `${TASK_NS}/kubectl-task-executor`;
/** The user name the executor ServiceAccount's token authenticates as. */
export const EXECUTOR_USER = `system:serviceaccount:${TASK_NS}:kubectl-task-executor`;

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The real kubectl, found on PATH once (the recorder execs it). */
export const REAL_KUBECTL = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();

export async function kubectl(env: NodeJS.ProcessEnv, args: readonly string[], input = ''): Promise<Run> {
  const r = await execa(REAL_KUBECTL, args, { env, input, reject: false, timeout: 60_000 });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `node bin/kubectl-task.js ARGS` as a user runs it: its own process, every byte of output kept. */
export async function cli(env: NodeJS.ProcessEnv, args: readonly string[], options: { cwd?: string; input?: string } = {}): Promise<Run> {
  const r = await execa(process.execPath, ['--', BIN, ...args], {
    env,
    cwd: options.cwd ?? REPO_ROOT,
    input: options.input ?? '',
    reject: false,
    stripFinalNewline: false,
    timeout: 90_000,
  });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface RbacCluster {
  readonly test: TestSandbox;
  /** KUBECONFIG (contexts admin and executor) and a private kubectl cache. */
  readonly env: NodeJS.ProcessEnv;
  /** `kubectl --context admin …`. */
  admin(args: readonly string[], input?: string): Promise<Run>;
  /** `kubectl --context executor …`: the ServiceAccount's own token. */
  executor(args: readonly string[], input?: string): Promise<Run>;
  close(): Promise<void>;
}

/**
 * A sandbox with the fake task manager whose `executor` context is the ServiceAccount
 * o2-tasks/kubectl-task-executor with no static rules, and `kubectl apply -k manifests/` applied
 * as admin: the CRD, the namespace, the ServiceAccounts, Roles and RoleBindings, nothing more.
 */
export async function startRbacCluster(options: Pick<TestSandboxOptions, 'controller'> = {}): Promise<RbacCluster> {
  const test = await startTestSandbox({
    namespace: TASK_NS,
    crd: 'none',
    tls: true,
    executor: { serviceAccount: EXECUTOR_SA },
    controller: options.controller ?? { delayMs: 30 },
  });
  const env = test.env;
  const admin = (args: readonly string[], input?: string) => kubectl(env, ['--context', 'admin', ...args], input);
  const applied = await admin(['apply', '-k', MANIFESTS]);
  if (applied.code !== 0) {
    await test.cleanup();
    throw new Error(`kubectl apply -k manifests/ failed: ${applied.stderr}`);
  }
  return {
    test,
    env,
    admin,
    executor: (args, input) => kubectl(env, ['--context', 'executor', ...args], input),
    close: () => test.cleanup(),
  };
}

export interface KubectlRecorder {
  /** Put first on PATH. */
  readonly binDir: string;
  /** PATH with binDir first, and where the recorder writes. */
  readonly env: NodeJS.ProcessEnv;
  /** The argv (after `kubectl`) of every kubectl started so far, in no particular order. */
  argvs(): Promise<string[][]>;
  /** Every recorded byte: the argv and environment files, concatenated. */
  allBytes(): Promise<string>;
  clear(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A `kubectl` script that writes its argv (NUL-separated) and its environment (`env -0`) to a new
 * file per call, then execs the real kubectl with the same arguments and stdin. It records only.
 */
export async function kubectlRecorder(baseEnv: NodeJS.ProcessEnv): Promise<KubectlRecorder> {
  const dir = await mkdtemp(join(tmpdir(), 'kubectl-task-recorder-'));
  const binDir = join(dir, 'bin');
  const logDir = join(dir, 'calls');
  await execa('mkdir', ['-p', binDir, logDir]);
  const script = [
    '#!/bin/sh',
    '# Test recorder: keeps the argv and environment of this call, then runs the real kubectl.',
    `f=$(mktemp "${logDir}/call.XXXXXXXX") || exit 97`,
    `printf '%s\\0' "$@" > "$f.argv"`,
    `env -0 > "$f.env"`,
    `exec '${REAL_KUBECTL}' "$@"`,
    '',
  ].join('\n');
  await writeFile(join(binDir, 'kubectl'), script);
  await chmod(join(binDir, 'kubectl'), 0o755);
  const files = async (suffix: string) => (await readdir(logDir)).filter((f) => f.endsWith(suffix)).sort();
  return {
    binDir,
    env: { ...baseEnv, PATH: `${binDir}${delimiter}${baseEnv['PATH'] ?? ''}` },
    argvs: async () =>
      Promise.all(
        (await files('.argv')).map(async (f) => {
          const text = await readFile(join(logDir, f), 'utf8');
          return text === '' ? [] : text.slice(0, -1).split('\0');
        }),
      ),
    allBytes: async () => {
      const names = [...(await files('.argv')), ...(await files('.env'))];
      return (await Promise.all(names.map((f) => readFile(join(logDir, f), 'latin1')))).join('\n');
    },
    clear: async () => {
      await rm(logDir, { recursive: true, force: true });
      await execa('mkdir', ['-p', logDir]);
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** `tok-` and 24 random hex digits: looks like a credential, and appears nowhere by chance. */
export function randomToken(tag: string): string {
  const hex = Array.from({ length: 24 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  return `tok-${tag}-${hex}`;
}

/** Every place `needle` occurs in `haystack`, each with some context, for a failure message. */
export function occurrences(haystack: string, needle: string): string[] {
  const out: string[] = [];
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
    out.push(JSON.stringify(haystack.slice(Math.max(0, i - 120), i + needle.length + 40)));
  }
  return out;
}

/** A bridge process driven line by line; every byte it writes is kept. */
export class Bridge {
  stdout = '';
  stderr = '';
  readonly #lines: Record<string, unknown>[] = [];
  readonly #waiters: (() => void)[] = [];
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcessWithoutNullStreams;

  constructor(args: string[], env: NodeJS.ProcessEnv, cwd: string) {
    this.#child = spawn(process.execPath, ['--', BIN, 'serve', ...args], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let partial = '';
    this.#child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.stdout += text;
      partial += text;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') this.#lines.push(JSON.parse(line) as Record<string, unknown>);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.#child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    // A request written after the bridge ended must not crash the test run (EPIPE).
    this.#child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => this.#child.on('exit', (code) => resolve(code)));
  }

  get messages(): readonly Record<string, unknown>[] {
    return this.#lines;
  }

  send(line: string): void {
    if (this.#child.exitCode === null && this.#child.stdin.writable) this.#child.stdin.write(`${line}\n`);
  }

  /** Ends the bridge if it still runs (SIGTERM: it shuts down as on a `shutdown` request). */
  stop(): void {
    if (this.#child.exitCode === null) this.#child.kill('SIGTERM');
  }

  async until(match: (m: Record<string, unknown>) => boolean, what: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.#lines.find(match);
      if (hit !== undefined) return hit;
      if (Date.now() > deadline)
        throw new Error(`bridge: no ${what} within ${timeoutMs} ms; stdout so far:\n${this.stdout}\nstderr:\n${this.stderr.slice(-3000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  response(id: number): Promise<Record<string, unknown>> {
    return this.until((m) => m['type'] === 'response' && m['id'] === id, `response to request ${id}`);
  }
}
