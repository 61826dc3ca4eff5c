import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { exitWhenOrphaned, watchParent } from '../../src/cli/parent-watch.ts';
import { REPO_ROOT, startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'kubectl-task.js');
/** Generous against a loaded machine; the parent is polled every second. */
const DEADLINE_MS = 15_000;

/** Gone, or a zombie nobody reaped yet (an init that does not reap must not fail the test). */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Child pids of `pid` (Linux), to check that kubectl children go too. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function waitUntil(what: string, check: () => boolean): Promise<void> {
  const end = Date.now() + DEADLINE_MS;
  while (!check()) {
    if (Date.now() > end) throw new Error(`not within ${DEADLINE_MS} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Collects a stream's text and resolves the first match of `pattern`'s group 1. */
function waitForOutput(child: ResultPromise, stream: 'stdout' | 'stderr', pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child[stream]?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    void child.then((r) => reject(new Error(`ended before ${String(pattern)}: ${String(r.stderr)}`)));
  });
}

function killQuietly(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone: the outcome the test wants
  }
}

describe('cli: long-running commands end with the process that started them', function () {
  this.timeout(60_000);

  // Both intermediates print the pid of the node process itself, not of a wrapper: npx and sh
  // forward no signals, and the node process is what must end.
  const intermediates = {
    'a shell (stdio inherited)': (args: string[]) => execa('sh', ['-c', `"$0" "$@" & echo "pid $!"; wait`, process.execPath, BIN, ...args], { reject: false }),
    'a node process (stdio piped through it)': (args: string[]) =>
      execa(
        process.execPath,
        [
          '-e',
          `const { spawn } = require('node:child_process');
           const child = spawn(process.execPath, process.argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
           console.log('pid ' + child.pid);
           child.stdout.pipe(process.stdout);
           child.stderr.pipe(process.stderr);`,
          BIN,
          ...args,
        ],
        { reject: false },
      ),
  };

  for (const [name, start] of Object.entries(intermediates)) {
    it(`sandbox started by ${name}: SIGKILL of it ends the sandbox and removes its kubeconfig`, async () => {
      const parent = start(['sandbox']);
      let pid: number | undefined;
      try {
        const pidText = waitForOutput(parent, 'stdout', /^pid (\d+)$/m);
        const kubeconfig = await waitForOutput(parent, 'stdout', /^sandbox ready: KUBECONFIG=(.+)$/m);
        pid = Number(await pidText);
        expect(existsSync(kubeconfig)).to.equal(true);
        expect(isGone(pid)).to.equal(false);
        parent.kill('SIGKILL');
        await waitUntil(`sandbox process ${pid} gone`, () => isGone(pid ?? 0));
        expect(existsSync(kubeconfig), kubeconfig).to.equal(false);
        expect(existsSync(path.dirname(kubeconfig)), path.dirname(kubeconfig)).to.equal(false);
      } finally {
        killQuietly(pid);
        parent.kill('SIGKILL');
        await parent;
      }
    });
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`sandbox on ${signal}: exit 0 and its temporary kubeconfig is removed`, async () => {
      const child = execa(process.execPath, [BIN, 'sandbox', '--no-controller'], { reject: false });
      try {
        const kubeconfig = await waitForOutput(child, 'stdout', /^sandbox ready: KUBECONFIG=(.+)$/m);
        expect(existsSync(kubeconfig)).to.equal(true);
        child.kill(signal);
        const result = await child;
        expect(result.exitCode, String(result.stderr)).to.equal(0);
        expect(String(result.stderr)).to.contain('sandbox stopped');
        expect(existsSync(path.dirname(kubeconfig)), path.dirname(kubeconfig)).to.equal(false);
      } finally {
        child.kill('SIGKILL');
      }
    });
  }

  describe('parent-watch', () => {
    const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    it('calls back once when the parent pid changes, never after stop()', async () => {
      let ppid = 4242;
      let calls = 0;
      const stop = watchParent(() => calls++, { intervalMs: 5, parentPid: () => ppid });
      await tick(30);
      expect(calls).to.equal(0);
      ppid = 1;
      await tick(30);
      ppid = 777;
      await tick(30);
      expect(calls).to.equal(1);
      stop();
      let stoppedCalls = 0;
      let other = 10;
      const stopOther = watchParent(() => stoppedCalls++, { intervalMs: 5, parentPid: () => other });
      stopOther();
      other = 1;
      await tick(30);
      expect(stoppedCalls).to.equal(0);
    });

    it('exitWhenOrphaned: aborted by the command signal or by the parent going, and says which', async () => {
      let ppid = 4242;
      const byParent = exitWhenOrphaned(new AbortController().signal, { intervalMs: 5, parentPid: () => ppid });
      ppid = 1;
      await tick(30);
      expect(byParent.signal.aborted).to.equal(true);
      expect(byParent.orphaned()).to.equal(true);
      const command = new AbortController();
      const bySignal = exitWhenOrphaned(command.signal, { intervalMs: 5, parentPid: () => 4242 });
      command.abort();
      expect(bySignal.signal.aborted).to.equal(true);
      expect(bySignal.orphaned()).to.equal(false);
      bySignal.stop();
    });
  });

  describe('fake-controller', () => {
    let cluster: TestSandbox;
    before(async () => {
      cluster = await startTestSandbox({ namespace: 'lifetime', tls: false });
    });
    after(async () => {
      await cluster?.cleanup();
    });

    it('started by a shell: SIGKILL of the shell ends it and its kubectl watch', async () => {
      const parent = execa(
        'sh',
        ['-c', `"$0" "$@" & echo "pid $!"; wait`, process.execPath, BIN, 'fake-controller', '--kubeconfig', cluster.kubeconfig, '-n', 'lifetime'],
        {
          reject: false,
          env: cluster.env,
        },
      );
      let pid: number | undefined;
      let kubectlChildren: number[] = [];
      try {
        const pidText = waitForOutput(parent, 'stdout', /^pid (\d+)$/m);
        await waitForOutput(parent, 'stderr', /(fake-controller: watching Tasks)/);
        pid = Number(await pidText);
        await waitUntil('the fake controller runs its kubectl watch', () => childrenOf(pid ?? 0).length > 0);
        kubectlChildren = childrenOf(pid);
        parent.kill('SIGKILL');
        await waitUntil(`fake-controller process ${pid} gone`, () => isGone(pid ?? 0));
        await waitUntil(`its kubectl children ${kubectlChildren.join(', ')} gone`, () => kubectlChildren.every(isGone));
      } finally {
        killQuietly(pid);
        kubectlChildren.forEach(killQuietly);
        parent.kill('SIGKILL');
        await parent;
      }
    });
  });
});
