/**
 * The disk full when the patch file is written (kubectl patch reads its body from a 0600 file in
 * a private mkdtemp directory, src/kubectl/patch-file.ts). The outcome: one clear line, nothing
 * sent to the cluster, no file or directory left, and the task untouched (a kill, whose mark is
 * best effort, still works).
 *
 * In this process the runner's injected writeFile fails as a full disk does (the file is created,
 * the write fails with ENOSPC). For `serve` and the CLI, whose runner cannot be injected, the disk
 * is really full: they run in a private mount namespace (`unshare -rm`) whose TMPDIR is a 64 KiB
 * tmpfs filled to the last byte (skipped where user namespaces are not available).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { BridgeClient } from '../../src/bridge/client.ts';
import type { WriteFileFn } from '../../src/kubectl/runner.ts';
import type { JsonObject } from '../../src/json.ts';
import { FLEET_TEMPLATE as FLEET_TEXT } from '../helpers/fleet.ts';
import { REPO_ROOT } from '../helpers/sandbox.ts';
import { KILL_WRAPPER, rejection, sequence, startDriver, startFaultCluster, within, type Driver, type FaultCluster } from './harness.ts';
import { startLongOutage } from './outage.ts';

const NS = { task: 'fd-task', fleet: 'fd-fleet' } as const;
const BIN = join(REPO_ROOT, 'bin', 'kubectl-task.js');

/** A writer that, while `full`, fails as write(2) on a full disk: the file exists, empty, and ENOSPC. */
function fullDisk(): { writeFile: WriteFileFn; full: boolean; paths: string[] } {
  const disk = {
    full: false,
    paths: [] as string[],
    writeFile: (async (path, data, options) => {
      if (!disk.full) return writeFile(path, data, options);
      disk.paths.push(path);
      await writeFile(path, '', options);
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    }) as WriteFileFn,
  };
  return disk;
}

/** Whether this machine lets an unprivileged user namespace mount a tmpfs. */
function canUnshare(): boolean {
  try {
    execFileSync('unshare', ['-rm', 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d" && rmdir "$d"'], {
      stdio: 'ignore',
      timeout: 10_000,
    });
    return true;
  } catch {
    return false;
  }
}

/** `sh -c` text that mounts a 64 KiB tmpfs on $0, fills it, and execs the rest with TMPDIR=$0. */
const FULL_TMPDIR = 'mount -t tmpfs -o size=64k tmpfs "$0" && { head -c 1048576 /dev/zero > "$0/fill" 2>/dev/null; TMPDIR="$0" exec "$@"; }';

describe('fault matrix: the disk full when writing the patch file', function () {
  this.timeout(60_000);
  let cluster: FaultCluster;
  let disk: ReturnType<typeof fullDisk>;
  let drivers: Driver[];
  const patchesOf = (namespace: string, name: string): number => cluster.requestsOf(namespace, name, 'PATCH').length;
  const spec = (namespace: string, name: string): string | undefined =>
    (cluster.task(namespace, name)?.['spec'] as JsonObject | undefined)?.['state'] as string | undefined;

  before(async function () {
    this.timeout(60_000);
    void startLongOutage();
    cluster = await startFaultCluster(Object.values(NS));
    disk = fullDisk();
    drivers = await Promise.all((['task', 'fleet'] as const).map((kind) => startDriver(kind, cluster, NS[kind], { kubectl: { writeFile: disk.writeFile } })));
  });
  after(async function () {
    this.timeout(60_000);
    await Promise.all((drivers ?? []).map((d) => d.close()));
    await cluster?.close();
  });

  it('KubectlTask and the fleet: a transition fails with one line, nothing is sent, nothing is left; the kill still works', async () => {
    await Promise.all(drivers.map((d) => within(30_000, `${d.kind} launch`, d.launch('df'))));
    disk.full = true;
    try {
      for (const d of drivers) {
        const error = await rejection(d.transition('df', 'CONFIGURE', { token: 'x' }), `${d.kind} CONFIGURE on a full disk`, 30_000);
        expect(error.message, d.kind).to.match(
          /^kubectl patch .*: Unknown: cannot write the patch file in \S+ \(ENOSPC: no space left on device, write\); nothing was sent to the cluster: free space there, or point TMPDIR at another directory$/,
        );
        expect(error.message, d.kind).not.to.contain('\n');
        expect(patchesOf(d.namespace, 'df'), `${d.kind}: no PATCH reached the server`).to.equal(0);
        expect(spec(d.namespace, 'df'), d.kind).to.equal('standby');
      }
      expect(disk.paths).to.have.length(2);
      for (const path of disk.paths) expect(existsSync(dirname(path)), `${path}: its directory is removed`).to.equal(false);
      // The kill's mark (a patch) cannot be written either: the Task is deleted all the same.
      for (const d of drivers) expect(await within(30_000, `${d.kind} kill`, d.kill('df'))).to.equal('TASK_KILLED');
    } finally {
      disk.full = false;
    }
    for (const d of drivers) {
      expect(sequence(d.updates('df'), `${d.kind}/df`)).to.deep.equal(['TASK_STARTING', 'standby', 'TASK_KILLED']);
      expect(cluster.task(d.namespace, 'df'), d.kind).to.equal(undefined);
    }
  });

  describe('serve and the CLI on a really full TMPDIR (unshare -rm, 64 KiB tmpfs)', () => {
    let mountpoint: string;
    before(async function () {
      if (!canUnshare()) this.skip();
      mountpoint = await mkdtemp(join(tmpdir(), 'kubectl-task-full-'));
    });
    after(async () => {
      if (mountpoint !== undefined) await rm(mountpoint, { recursive: true, force: true });
    });

    it('serve: the transition is answered with one line (ENOSPC), nothing sent; the task goes on', async () => {
      const namespace = 'fd-bridge';
      cluster.test.sandbox.store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      const args = ['--kubeconfig', cluster.kubeconfig, '--context', 'admin', '-n', namespace, '--kubectl', KILL_WRAPPER];
      const child = spawn('unshare', ['-rm', 'sh', '-c', FULL_TMPDIR, mountpoint, process.execPath, '--', BIN, 'serve', ...args], {
        stdio: ['pipe', 'pipe', 'ignore'],
        env: { ...process.env, ...cluster.env },
      });
      const client = new BridgeClient({ input: child.stdout, output: child.stdin, child });
      try {
        await within(30_000, 'bridge ready', client.ready);
        expect((await within(30_000, 'launch', client.launch({ taskId: 'dfb', manifest: FLEET_TEXT, env: { TASK_NAME: 'dfb' } }))).state).to.equal(
          'TASK_RUNNING',
        );
        const error = await rejection(client.transition({ taskId: 'dfb', event: 'CONFIGURE' }), 'CONFIGURE on a full disk', 30_000);
        expect(error.reason).to.equal('Unknown');
        expect(error.message).to.match(
          /^kubectl patch -f - \(dfb\): Unknown: cannot write the patch file in \S+ \(ENOSPC: no space left on device, write\); nothing was sent to the cluster/,
        );
        expect(patchesOf(namespace, 'dfb')).to.equal(0);
        expect((await client.status('dfb')).tasks[0]).to.include({ state: 'TASK_RUNNING', taskState: 'standby' });
        expect((await within(30_000, 'kill', client.kill('dfb'))).state).to.equal('TASK_KILLED');
      } finally {
        await client.close({ timeoutMs: 10_000 });
      }
    });

    it('the CLI: transition exits 3 with one line on stderr, nothing sent', async () => {
      const namespace = NS.task;
      await within(30_000, 'launch', drivers[0]!.launch('dfc'));
      const template = join(cluster.killDir, 'template.yaml');
      await writeFile(template, FLEET_TEXT);
      const outcome = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(
          'unshare',
          [
            '-rm',
            'sh',
            '-c',
            FULL_TMPDIR,
            mountpoint,
            process.execPath,
            '--',
            BIN,
            'transition',
            'CONFIGURE',
            '-f',
            template,
            '--env',
            'TASK_NAME=dfc',
            '--kubeconfig',
            cluster.kubeconfig,
            '--context',
            'admin',
            '-n',
            namespace,
            '--arg',
            'token=s3cr3t-value',
          ],
          { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...cluster.env } },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      expect(outcome.code, outcome.stderr).to.equal(3);
      const lines = outcome.stderr.trim().split('\n');
      expect(lines, outcome.stderr).to.have.length(1);
      expect(lines[0]).to.match(
        /cannot write the patch file in \S+ \(ENOSPC: no space left on device, write\); nothing was sent to the cluster: free space there, or point TMPDIR at another directory/,
      );
      expect(outcome.stderr).not.to.contain('s3cr3t-value');
      expect(patchesOf(namespace, 'dfc')).to.equal(0);
      expect(spec(namespace, 'dfc')).to.equal('standby');
      expect(await within(30_000, 'kill', drivers[0]!.kill('dfc'))).to.equal('TASK_KILLED');
    });
  });
});
