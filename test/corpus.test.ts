/**
 * The hostile-input corpus: every file under test/corpus/cases/ is one case, run through the CLI
 * (in-process main(), or bin/kubectl-task.js in a child process) against ONE sandbox for the whole
 * suite. Each case states its expected exit code and its one-line error; after each case the
 * sandbox must hold exactly the objects it held before (its global resourceVersion unchanged, and
 * the same object names in every namespace).
 *
 * A case file (YAML) — adding a case is adding a file:
 *
 *   title: one line saying what is hostile
 *   covers: the bullet of issue 14 it belongs to
 *   run: in-process | process | process-as-nobody     (default in-process)
 *   argv: [launch, -f, "@DIR@/manifest.yaml", "@CONN@"]
 *   files:                                             (written to a fresh directory, @DIR@)
 *     manifest.yaml: |                                 text as is, or one of:
 *       ...
 *     other: { text: ..., mode: 0o000 }                text with a file mode
 *     kubectl: { executable: "#!/bin/sh ..." }         an executable script
 *     a-dir: { directory: true }
 *     link.yaml: { symlink: target }                   a symbolic link
 *     copy.yaml: { copy: bad-templates/x.yaml }        a file of test/corpus/
 *     garbage: { base64: "..." } | { random: 65536, seed: 7 }
 *     big.yaml: { generate: large-manifest, bytes: N } | { generate: missing-variables, count: N }
 *   env: { NAME: value | null }                        set (null: unset) for the run only
 *   expect:
 *     exit: 2
 *     stderr: regex       the whole of stderr is one line matching it; absent: stderr is empty
 *     stdout: regex       ('s' flag) absent: stdout is empty
 *     count: [{ regex, times }]   stderr holds that many matches
 *   bridge:               instead of argv: `kubectl-task serve @CONN@` as a child process
 *     send: [ "raw line", { a JSON object }, { generate: long-line, bytes: N } ]
 *     responses: [{ id, reason, message: regex }]     one response per request line, in any order
 *
 * In argv, env values, bridge lines and the regexes, @DIR@ (the case's directory), @REPO@,
 * @KUBECONFIG@ and @NS@ are replaced; an argv item "@CONN@" becomes
 * `--kubeconfig K --context admin -n NS`. In regexes the replacements are escaped.
 *
 * Unreadable files: the tests run as root, and root reads a file of mode 000. A case with
 * `run: process-as-nobody` runs bin/kubectl-task.js as uid/gid 65534, for whom mode 000 means
 * what it says (run in-process when the suite does not run as root); ENOTDIR (a path through a
 * file) and EISDIR (a directory) are unreadable for root too and have cases of their own.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { main } from '../src/cli/main.ts';
import { captureOut } from './helpers/capture.ts';
import { repoRoot, startTaskCluster, type TaskCluster } from './helpers/task-cluster.ts';

const CORPUS = join(repoRoot, 'test', 'corpus');
const CASES = join(CORPUS, 'cases');
const NAMESPACE = 'corpus';
/** The resources whose objects are compared before and after each case, in every namespace. */
const WATCHED = ['namespaces', 'tasks', 'configmaps', 'secrets', 'services', 'pods', 'serviceaccounts', 'roles', 'rolebindings'];

const FileSpec = z.union([
  z.string(),
  z.strictObject({ text: z.string(), mode: z.number().int().optional() }),
  z.strictObject({ executable: z.string() }),
  z.strictObject({ directory: z.literal(true) }),
  z.strictObject({ symlink: z.string() }),
  z.strictObject({ copy: z.string() }),
  z.strictObject({ base64: z.string() }),
  z.strictObject({ random: z.number().int().positive(), seed: z.number().int() }),
  z.strictObject({ generate: z.literal('large-manifest'), bytes: z.number().int().positive() }),
  z.strictObject({ generate: z.literal('missing-variables'), count: z.number().int().positive() }),
]);
type FileSpec = z.infer<typeof FileSpec>;

const LineSpec = z.union([
  z.string(),
  z.strictObject({ generate: z.literal('long-line'), bytes: z.number().int().positive() }),
  z.record(z.string(), z.unknown()),
]);
type LineSpec = z.infer<typeof LineSpec>;

const CaseSchema = z
  .strictObject({
    title: z.string().min(1),
    covers: z.string().min(1),
    run: z.enum(['in-process', 'process', 'process-as-nobody']).default('in-process'),
    argv: z.array(z.string()).optional(),
    files: z.record(z.string(), FileSpec).default({}),
    env: z.record(z.string(), z.string().nullable()).default({}),
    bridge: z
      .strictObject({
        send: z.array(LineSpec).min(1),
        responses: z.array(z.strictObject({ id: z.union([z.string(), z.number()]).nullable(), reason: z.string(), message: z.string() })).min(1),
      })
      .optional(),
    expect: z.strictObject({
      exit: z.number().int(),
      stderr: z.string().optional(),
      stdout: z.string().optional(),
      count: z.array(z.strictObject({ regex: z.string(), times: z.number().int() })).optional(),
    }),
  })
  .refine((c) => (c.argv === undefined) !== (c.bridge === undefined), 'a case has either argv or bridge');
type Case = z.infer<typeof CaseSchema>;

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const caseFiles = (await readdir(CASES)).filter((f) => f.endsWith('.yaml')).sort();
const cases = await Promise.all(
  caseFiles.map(async (file) => {
    let value: unknown;
    try {
      value = parseYaml(await readFile(join(CASES, file), 'utf8'));
    } catch (error) {
      throw new Error(`test/corpus/cases/${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = CaseSchema.safeParse(value);
    if (!parsed.success) throw new Error(`test/corpus/cases/${file}: ${parsed.error.message}`);
    return { file, spec: parsed.data };
  }),
);

describe('hostile input corpus (test/corpus/cases, CLI against one sandbox)', function () {
  this.timeout(120_000);
  let cluster: TaskCluster;
  let root: string;

  before(async () => {
    cluster = await startTaskCluster({ namespace: NAMESPACE });
    root = await mkdtemp(join(tmpdir(), 'kubectl-task-corpus-'));
  });
  after(async () => {
    await cluster?.close();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it(`holds at least 40 cases (${cases.length})`, () => {
    expect(cases.length).to.be.at.least(40);
  });

  it('sees an object a case would leave behind (the check is not vacuous)', () => {
    const before = snapshot(cluster);
    cluster.sandbox.store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'left-behind', namespace: NAMESPACE } });
    const after = snapshot(cluster);
    expect(after.objects).to.include(`configmaps/${NAMESPACE}/left-behind`);
    expect(after.resourceVersion).to.be.greaterThan(before.resourceVersion);
    cluster.sandbox.store.delete('configmaps', NAMESPACE, 'left-behind');
    expect(snapshot(cluster).objects).to.deep.equal(before.objects);
  });

  for (const { file, spec } of cases) {
    it(`${basename(file, '.yaml')}: ${spec.title}`, async () => {
      const dir = join(root, basename(file, '.yaml'));
      await mkdir(dir);
      await writeFiles(dir, spec.files);
      const vars: Record<string, string> = { '@DIR@': dir, '@REPO@': repoRoot, '@KUBECONFIG@': cluster.kubeconfig, '@NS@': NAMESPACE };
      const before = snapshot(cluster);
      const outcome = spec.bridge === undefined ? await runCli(spec, vars) : await runBridge(spec, vars, cluster);
      const where = `${file}\n  exit ${String(outcome.code)}\n  stderr: ${outcome.stderr}\n  stdout: ${outcome.stdout.slice(0, 2000)}`;

      expect(outcome.code, where).to.equal(spec.expect.exit);
      const stderr = outcome.stderr.replace(/\n$/, '');
      if (spec.expect.stderr === undefined) {
        if (spec.bridge === undefined) expect(stderr, where).to.equal('');
      } else {
        expect(stderr.split('\n'), `one line of stderr\n${where}`).to.have.length(1);
        expect(stderr, where).to.match(new RegExp(substitute(spec.expect.stderr, vars, true)));
      }
      if (spec.bridge === undefined) {
        if (spec.expect.stdout === undefined) expect(outcome.stdout, where).to.equal('');
        else expect(outcome.stdout, where).to.match(new RegExp(substitute(spec.expect.stdout, vars, true), 's'));
      }
      for (const { regex, times } of spec.expect.count ?? []) {
        expect(stderr.match(new RegExp(substitute(regex, vars, true), 'g')) ?? [], `${regex} ${times} times\n${where}`).to.have.length(times);
      }
      expect(snapshot(cluster), `the sandbox changed\n${where}`).to.deep.equal(before);
    });
  }
});

/** What the sandbox holds: any write bumps the global resourceVersion; the names say what. */
function snapshot(cluster: TaskCluster): { resourceVersion: number; objects: string[] } {
  const objects = WATCHED.flatMap((resource) =>
    cluster.sandbox.store.list(resource).map((o) => {
      const metadata = o['metadata'] as { namespace?: string; name?: string } | undefined;
      return `${resource}/${metadata?.namespace ?? ''}/${metadata?.name ?? ''}`;
    }),
  ).sort();
  return { resourceVersion: cluster.sandbox.store.resourceVersion, objects };
}

function substitute(text: string, vars: Record<string, string>, asRegex = false): string {
  let out = text;
  for (const [token, value] of Object.entries(vars)) out = out.split(token).join(asRegex ? value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : value);
  return out;
}

function expandArgv(argv: readonly string[], vars: Record<string, string>): string[] {
  return argv.flatMap((arg) =>
    arg === '@CONN@' ? ['--kubeconfig', vars['@KUBECONFIG@'] ?? '', '--context', 'admin', '-n', vars['@NS@'] ?? ''] : [substitute(arg, vars)],
  );
}

async function runCli(spec: Case, vars: Record<string, string>): Promise<Outcome> {
  const argv = expandArgv(spec.argv ?? [], vars);
  const env = Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, v === null ? null : substitute(v, vars)]));
  const asNobody = spec.run === 'process-as-nobody' && process.getuid?.() === 0;
  if (spec.run === 'process' || asNobody) return runProcess(argv, env, asNobody);
  // In-process: the case's variables are the process's for the length of the run.
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === null) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const out = captureOut();
    const code = await main(argv, { out, signal: new AbortController().signal });
    return { code, stdout: out.stdoutText(), stderr: out.stderrText() };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

function childEnv(env: Record<string, string | null>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

function runProcess(argv: string[], env: Record<string, string | null>, asNobody: boolean): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'kubectl-task.js'), ...argv], {
      cwd: asNobody ? tmpdir() : repoRoot,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(asNobody ? { uid: 65534, gid: 65534 } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `kubectl-task serve` against the sandbox: the case's lines after `ready`, then the end of stdin. */
async function runBridge(spec: Case, vars: Record<string, string>, cluster: TaskCluster): Promise<Outcome> {
  const bridge = spec.bridge;
  if (bridge === undefined) throw new Error('not a bridge case');
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'kubectl-task.js'), 'serve', ...expandArgv(['@CONN@'], vars)], {
    cwd: repoRoot,
    env: childEnv({}),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let onReady: (() => void) | undefined;
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    if (stdout.includes('\n')) onReady?.();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve, reject) => {
    onReady = resolve;
    void closed.then(() => reject(new Error(`serve ended before ready: ${stderr}`)));
  });
  const lines = bridge.send.map((line) => substitute(lineText(line), vars));
  for (const line of lines) child.stdin.write(`${line}\n`);
  child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await closed;
  clearTimeout(timer);

  const [ready, ...messages] = stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(ready, stdout).to.deep.include({ type: 'ready', protocol: 1 });
  const responses = messages.filter((m) => m['type'] === 'response');
  expect(responses, `one response per request line\n${stdout.slice(0, 4000)}`).to.have.length(lines.filter((l) => l.trim() !== '').length);
  const unmatched = [...responses];
  for (const want of bridge.responses) {
    const index = unmatched.findIndex((r) => r['id'] === want.id && (r['error'] as { reason?: string } | undefined)?.reason === want.reason);
    expect(index, `a ${want.reason} response with id ${JSON.stringify(want.id)}\n${stdout.slice(0, 4000)}`).to.be.at.least(0);
    const [found] = unmatched.splice(index, 1);
    const message = (found?.['error'] as { message?: string } | undefined)?.message ?? '';
    expect(message.split('\n'), 'one line').to.have.length(1);
    expect(message).to.match(new RegExp(substitute(want.message, vars, true)));
  }
  // The lines the case does not name an error for were answered, and nothing else went wrong.
  for (const r of unmatched) expect(r['ok'], `unexpected error ${JSON.stringify(r)}`).to.equal(true);
  expect(stderr, 'serve logs no stack trace').not.to.match(/\n\s+at /);
  void cluster;
  return { code, stdout, stderr: '' };
}

function lineText(line: LineSpec): string {
  if (typeof line === 'string') return line;
  if (line['generate'] === 'long-line' && typeof line['bytes'] === 'number') {
    // A launch whose inline manifest makes the line `bytes` long.
    const head = '{"type":"launch","id":"long","taskId":"long","manifest":"';
    return `${head}${'x'.repeat(Math.max(0, line['bytes'] - head.length - 2))}"}`;
  }
  return JSON.stringify(line);
}

async function writeFiles(dir: string, files: Record<string, FileSpec>): Promise<void> {
  for (const [name, spec] of Object.entries(files)) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    if (typeof spec === 'string') await writeFile(path, spec);
    else if ('text' in spec) {
      await writeFile(path, spec.text);
      if (spec.mode !== undefined) await chmod(path, spec.mode);
    } else if ('executable' in spec) await writeFile(path, spec.executable, { mode: 0o755 });
    else if ('directory' in spec) await mkdir(path, { recursive: true });
    else if ('symlink' in spec) await symlink(spec.symlink, path);
    else if ('copy' in spec) await writeFile(path, await readFile(join(CORPUS, spec.copy)));
    else if ('base64' in spec) await writeFile(path, Buffer.from(spec.base64, 'base64'));
    else if ('random' in spec) await writeFile(path, randomBytes(spec.random, spec.seed));
    else if (spec.generate === 'large-manifest') await writeFile(path, largeManifest(spec.bytes));
    else await writeFile(path, missingVariables(spec.count));
  }
  // process-as-nobody must reach the files: the directories are searchable by everyone.
  await chmod(dir, 0o755);
}

/** Deterministic garbage (xorshift32), so a failure can be reproduced. */
function randomBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** A valid Task and a ConfigMap of many small keys, `bytes` long in all: a map of that size is what a parser chokes on. */
function largeManifest(bytes: number): string {
  const head =
    'apiVersion: aliecs.alice.cern/v1alpha1\nkind: Task\nmetadata:\n  name: large\nspec:\n  state: standby\n---\n' +
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: large-data\ndata:\n';
  const parts = [head];
  let size = head.length;
  for (let i = 0; size < bytes; i++) {
    const line = `  key${String(i).padStart(7, '0')}: ${'v'.repeat(48)}\n`;
    parts.push(line);
    size += line.length;
  }
  return parts.join('');
}

/** A Task whose spec.properties reference `count` distinct unset variables, one per line. */
function missingVariables(count: number): string {
  const lines = ['apiVersion: aliecs.alice.cern/v1alpha1', 'kind: Task', 'metadata:', '  name: many-missing', 'spec:', '  state: standby', '  properties:'];
  for (let i = 0; i < count; i++) lines.push(`    p${String(i).padStart(3, '0')}: "\${V${String(i).padStart(3, '0')}}"`);
  return `${lines.join('\n')}\n`;
}
