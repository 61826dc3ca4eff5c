import { expect } from 'chai';
import path from 'node:path';
import os from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { execa } from 'execa';
import { main } from '../../src/cli/main.ts';
import { captureOut } from '../helpers/capture.ts';
import { REPO_ROOT } from '../helpers/sandbox.ts';

describe('cli: sandbox and demo', function () {
  this.timeout(90_000);

  it('`kubectl-task sandbox` prints its kubeconfig, serves real kubectl, and stops cleanly on SIGTERM', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kubectl-task-sbx-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    const child = execa('node', [path.join(REPO_ROOT, 'bin', 'kubectl-task.js'), 'sandbox', '--kubeconfig', kubeconfig], { reject: false });
    try {
      const ready = await new Promise<string>((resolve, reject) => {
        let seen = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          const line = seen.split('\n').find((l) => l.startsWith('sandbox ready: '));
          if (line !== undefined) resolve(line);
        });
        void child.then((r) => reject(new Error(`sandbox exited early: ${r.stderr}`)));
      });
      expect(ready).to.equal(`sandbox ready: KUBECONFIG=${kubeconfig}`);
      const env = { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: path.join(dir, 'cache') };
      await execa('kubectl', ['apply', '-f', path.join(REPO_ROOT, 'manifests', 'task-crd.yaml')], { env });
      const contexts = await execa('kubectl', ['config', 'get-contexts', '-o', 'name'], { env });
      expect(contexts.stdout.split('\n').sort()).to.deep.equal(['admin', 'executor']);
      // TLS and tokens: the executor context is a real, restricted user.
      const denied = await execa('kubectl', ['--context', 'executor', 'delete', 'namespace', 'default'], { env, reject: false });
      expect(denied.exitCode).to.equal(1);
      expect(denied.stderr).to.contain('is forbidden: User "task-executor" cannot delete resource "namespaces"');
      const tasks = await execa('kubectl', ['get', 'tasks', '-A'], { env });
      expect(tasks.stderr).to.contain('No resources found');
      child.kill('SIGTERM');
      const result = await child;
      expect(result.exitCode).to.equal(0);
      expect(result.stderr).to.contain('sandbox stopped');
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('`kubectl-task demo` runs the whole lifecycle and prints every state change', async () => {
    const out = captureOut();
    const code = await main(['demo'], { out, signal: new AbortController().signal });
    expect(code, out.stderrText()).to.equal(0);
    const text = out.stdoutText();
    for (const change of ['(none) → standby', 'standby → configured', 'configured → running', 'running → configured', 'configured → standby']) {
      expect(text).to.contain(change);
    }
    expect(text).to.match(/NAME\s+DESIRED\s+ACTUAL\s+AGE\ndemo-example\s+configured\s+configured\s+\d+s/);
    expect(text).to.contain('TASK_KILLED');
    expect(text).to.contain('demo finished');
  });
});
