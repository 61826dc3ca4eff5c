import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubectlError } from '../../src/kubectl/errors.ts';
import { Kubectl } from '../../src/kubectl/runner.ts';
import { execa } from 'execa';

const FAKES = fileURLToPath(new URL('../fixtures/fake-kubectl/', import.meta.url));
const fake = (name: string): string => join(FAKES, name);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean): Promise<void> {
  // Safety net only: the mocha timeout ends the test if the condition never holds.
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('kubectl/runner (real processes)', () => {
  it('a binary that does not exist → KubectlNotFound, one attempt, no retry', async () => {
    const k = new Kubectl({ binary: '/nonexistent/dir/kubectl', sleep: async () => expect.fail('must not retry') });
    const error = await k.run(['get', 'x']).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(KubectlError);
    const ke = error as KubectlError;
    expect(ke.reason).to.equal('KubectlNotFound');
    expect(ke.attempts).to.equal(1);
    expect(ke.result?.spawnError).to.equal('ENOENT');
    expect(ke.message).to.contain('"/nonexistent/dir/kubectl"');
    expect(ke.message).to.contain('--kubectl');
  });

  it('a name not on PATH → KubectlNotFound (PATH comes from the explicit env)', async () => {
    const k = new Kubectl({ binary: 'kubectl', env: { PATH: FAKES } });
    const result = await k.tryRun(['version']);
    expect(result.spawnError).to.equal('ENOENT');
    expect(result.exitCode).to.equal(null);
  });

  it('a hanging kubectl is killed at the timeout → Timeout', async function () {
    this.timeout(30_000); // safety net: the process timeout below is 4 s
    const dir = mkdtempSync(join(tmpdir(), 'kubectl-hang-'));
    const pidFile = join(dir, 'pid');
    try {
      const k = new Kubectl({ binary: fake('kubectl-hang'), timeoutMs: 4000, retry: false, env: { ...process.env, FAKE_KUBECTL_PID_FILE: pidFile } });
      const error = (await k.run(['get', 'x']).catch((e: unknown) => e)) as KubectlError;
      expect(error).to.be.instanceOf(KubectlError);
      expect(error.reason).to.equal('Timeout');
      expect(error.result?.timedOut).to.equal(true);
      expect(error.result?.exitCode).to.equal(null);
      const pid = Number(readFileSync(pidFile, 'utf8'));
      await waitFor(() => !isAlive(pid));
      expect(isAlive(pid)).to.equal(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an aborted run kills kubectl and rejects with the caller's reason, without retrying", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubectl-abort-'));
    const pidFile = join(dir, 'pid');
    try {
      const controller = new AbortController();
      const k = new Kubectl({
        binary: fake('kubectl-hang'),
        env: { ...process.env, FAKE_KUBECTL_PID_FILE: pidFile },
        sleep: async () => expect.fail('must not retry'),
      });
      const pending = k.run(['get', 'x'], { signal: controller.signal }).catch((e: unknown) => e);
      await waitFor(() => {
        try {
          return readFileSync(pidFile, 'utf8') !== '';
        } catch {
          return false;
        }
      });
      controller.abort(new Error('task killed by the scheduler'));
      const error = await pending;
      expect(String(error)).to.contain('task killed by the scheduler');
      const pid = Number(readFileSync(pidFile, 'utf8'));
      await waitFor(() => !isAlive(pid));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('stream()', () => {
    it('delivers stdout lines in order, stderr lines apart, and resolves done when kubectl exits', async () => {
      const lines: string[] = [];
      const stderr: string[] = [];
      const k = new Kubectl({ binary: fake('kubectl-lines'), env: { ...process.env, FAKE_KUBECTL_LINES: '200', FAKE_KUBECTL_EXIT: '3' } });
      const stream = k.stream(['get', 'tasks', '--watch'], { onLine: (l) => lines.push(l), onStderrLine: (l) => stderr.push(l), namespace: null });
      const result = await stream.done;
      expect(lines).to.deep.equal(Array.from({ length: 200 }, (_, i) => `line ${i + 1}`));
      expect(stderr).to.deep.equal(['warning: fake watch started']);
      expect(result.exitCode).to.equal(3);
      expect(result.stderr).to.equal('warning: fake watch started\n');
      expect(result.argv.slice(1)).to.deep.equal(['get', 'tasks', '--watch']);
    });

    it('stop() ends a running watch; done resolves with the signal', async () => {
      const lines: string[] = [];
      const k = new Kubectl({ binary: fake('kubectl-lines'), namespace: 'rec' });
      const stream = k.stream(['get', 'tasks', '--watch'], { onLine: (l) => lines.push(l) });
      await waitFor(() => lines.includes('ready'));
      stream.stop();
      const result = await stream.done;
      expect(result.exitCode).to.equal(null);
      expect(result.signal).to.equal('SIGTERM');
      expect(result.timedOut).to.equal(false);
      expect(result.argv.slice(1)).to.deep.equal(['-n', 'rec', 'get', 'tasks', '--watch']);
      expect(lines).to.deep.equal(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'ready']);
    });

    it('a missing binary: done resolves (never rejects) with spawnError', async () => {
      const k = new Kubectl({ binary: '/nonexistent/kubectl' });
      const result = await k.stream(['get', 'x', '-w'], { onLine: () => expect.fail('no output expected') }).done;
      expect(result.spawnError).to.equal('ENOENT');
    });
  });
});

describe('kubectl/spawn: children and signals', function () {
  this.timeout(30_000);
  const repo = fileURLToPath(new URL('../../', import.meta.url));

  it('a running kubectl watch does not take over SIGTERM: the CLI stops cleanly and its children die with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubectl-sig-'));
    const pidFile = join(dir, 'pid');
    const child = execa('node', [join(repo, 'bin', 'kubectl-task.js'), 'fake-controller', '-n', 'default', '--kubectl', fake('kubectl-hang')], {
      env: { ...process.env, FAKE_KUBECTL_PID_FILE: pidFile },
      reject: false,
    });
    while (!existsSync(pidFile)) await new Promise((r) => setTimeout(r, 20));
    const kubectlPid = Number(readFileSync(pidFile, 'utf8'));
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(result.stderr).to.contain('fake-controller: stopped after 0 status writes');
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      try {
        process.kill(kubectlPid, 0);
        await new Promise((r) => setTimeout(r, 50));
      } catch {
        alive = false;
      }
    }
    expect(alive, 'the kubectl child is gone').to.equal(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
