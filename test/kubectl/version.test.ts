import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { KubectlError } from '../../src/kubectl/errors.ts';
import { Kubectl } from '../../src/kubectl/runner.ts';
import { checkKubectlVersion, MIN_KUBECTL_MINOR, parseKubectlVersion } from '../../src/kubectl/version.ts';

const fake = (name: string): string => fileURLToPath(new URL(`../fixtures/fake-kubectl/${name}`, import.meta.url));

// What the dispatcher on this machine prints for `kubectl version --client -o json`.
const DISPATCHER = `{
  "clientVersion": { "major": "1", "minor": "32+", "gitVersion": "v1.32.4-dispatcher", "platform": "linux/amd64" },
  "kustomizeVersion": "v5.5.0"
}`;

describe('kubectl/version', () => {
  it('parses plain and vendor (`32+`) minors', () => {
    expect(parseKubectlVersion(DISPATCHER)).to.deep.equal({ major: 1, minor: 32, gitVersion: 'v1.32.4-dispatcher' });
    expect(parseKubectlVersion('{"clientVersion":{"major":"1","minor":"27","gitVersion":"v1.27.16"}}').minor).to.equal(27);
    expect(MIN_KUBECTL_MINOR).to.equal(27);
  });

  it('garbage is KubectlError Unknown with a clear message', () => {
    for (const [text, why] of [
      ['Client Version: v1.32.4', /expected JSON, got "Client Version: v1\.32\.4"/],
      ['{}', /no clientVersion object/],
      ['{"clientVersion":{"major":"one","minor":"x"}}', /numeric major\/minor/],
      ['', /expected JSON, got empty output/],
    ] as const) {
      let caught: unknown;
      try {
        parseKubectlVersion(text);
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(KubectlError);
      expect((caught as KubectlError).reason).to.equal('Unknown');
      expect((caught as KubectlError).message).to.match(why);
    }
  });

  it('a kubectl 1.20 (fake binary) is KubectlTooOld, naming the binary and the minimum', async () => {
    const error = (await checkKubectlVersion(new Kubectl({ binary: fake('kubectl-old'), namespace: 'rec' })).catch((e: unknown) => e)) as KubectlError;
    expect(error).to.be.instanceOf(KubectlError);
    expect(error.reason).to.equal('KubectlTooOld');
    expect(error.message).to.contain('v1.20.15');
    expect(error.message).to.contain('1.27 or newer');
    expect(error.result?.argv.slice(1)).to.deep.equal(['version', '--client', '-o', 'json']);
  });

  it('garbage output (fake binary) is Unknown', async () => {
    const error = (await checkKubectlVersion(new Kubectl({ binary: fake('kubectl-garbage') })).catch((e: unknown) => e)) as KubectlError;
    expect(error.reason).to.equal('Unknown');
    expect(error.result?.stdout).to.equal('this is not json {\n');
  });

  it('the real kubectl on this machine passes', async () => {
    const result = await checkKubectlVersion(new Kubectl());
    expect(result.client).to.match(/^v1\.(\d+)/);
    expect(Number(/^v1\.(\d+)/.exec(result.client)?.[1])).to.be.at.least(MIN_KUBECTL_MINOR);
  });

  it('ensureVersion() checks once for a runner and its with() siblings, and again after a failure', async () => {
    let calls = 0;
    let answer: string | undefined = JSON.stringify({ clientVersion: { major: '1', minor: '30', gitVersion: 'v1.30.1' } });
    const spawn = async (file: string, args: readonly string[]) => {
      calls += 1;
      return {
        argv: [file, ...args],
        exitCode: answer === undefined ? 1 : 0,
        stdout: answer ?? '',
        stderr: answer === undefined ? 'boom' : '',
        durationMs: 1,
        timedOut: false,
      };
    };
    const k = new Kubectl({ retry: false, spawn });
    expect(await k.ensureVersion()).to.deep.equal({ client: 'v1.30.1' });
    await k.with({ namespace: 'other' }).ensureVersion();
    await k.ensureVersion();
    expect(calls).to.equal(1);

    answer = undefined;
    const failing = new Kubectl({ retry: false, spawn });
    expect(await failing.ensureVersion().catch((e: unknown) => e)).to.be.instanceOf(KubectlError);
    await failing.ensureVersion().catch(() => undefined);
    expect(calls).to.equal(3); // a failed check is not cached
  });

  it('a KubectlTask refuses to launch with a kubectl that is too old', async () => {
    const { KubectlTask } = await import('../../src/task/kubectl-task.ts');
    const task = new KubectlTask({
      id: 'old',
      kubectl: new Kubectl({ binary: fake('kubectl-old'), namespace: 'ns' }),
      template: { text: 'apiVersion: aliecs.alice.cern/v1alpha1\nkind: Task\nmetadata: {name: old}\nspec: {state: standby}\n' },
      baseEnv: {},
      namespace: { explicit: 'ns' },
    });
    const error = (await task.launch().catch((e: unknown) => e)) as KubectlError;
    expect(error.reason).to.equal('KubectlTooOld');
    expect(task.status).to.equal('TASK_FAILED');
  });
});
