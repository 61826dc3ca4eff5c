import { expect } from 'chai';
import path from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT, startTestSandbox, type TestSandbox } from './helpers/sandbox.ts';

/** Runs an example the way the README says (tsx), against the sandbox through KUBECONFIG. */
function runExample(sandbox: TestSandbox, file: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return execa(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'examples', file), ...args], {
    cwd: REPO_ROOT,
    env: { ...sandbox.env, ...env },
    reject: false,
  });
}

describe('examples/ (run against the sandbox, real kubectl)', function () {
  this.timeout(90_000);
  let sandbox: TestSandbox;

  before(async () => {
    sandbox = await startTestSandbox({ namespace: 'examples', tls: true, controller: { delayMs: 50 } });
  });
  after(async () => {
    await sandbox?.cleanup();
  });

  async function remainingTasks(): Promise<string> {
    const got = await execa('kubectl', ['get', 'tasks,configmaps', '-n', 'examples', '-l', 'app.kubernetes.io/managed-by=kubectl-task', '-o', 'name'], {
      env: sandbox.env,
    });
    return got.stdout.trim();
  }

  it('lifecycle.ts: launch → CONFIGURE → START → STOP → RESET → kill of one task (namespace as argument)', async () => {
    const r = await runExample(sandbox, 'lifecycle.ts', ['examples']);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).to.equal(0);
    const taskStates = [...r.stdout.matchAll(/→ TASK_RUNNING \(status\.state (\w+)\)/g)].map((m) => m[1]);
    expect(taskStates).to.include.ordered.members(['standby', 'configured', 'running', 'configured', 'standby']);
    expect(r.stdout).to.contain('final state: TASK_KILLED');
    expect(await remainingTasks()).to.equal('');
  });

  it('many-tasks.ts: three tasks with their own env in one process (namespace from $NAMESPACE)', async () => {
    const r = await runExample(sandbox, 'many-tasks.ts', [], { NAMESPACE: 'examples' });
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).to.equal(0);
    for (const role of ['flp001', 'flp002', 'epn001']) expect(r.stdout).to.contain(`many-${role}-config: I am ${role}`);
    expect(r.stdout).to.contain('final states: TASK_KILLED TASK_KILLED TASK_KILLED');
    expect(await remainingTasks()).to.equal('');
  });
});
