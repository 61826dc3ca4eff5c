import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { buildArgv } from '../../src/kubectl/argv.ts';
import { redactArgv, redactText } from '../../src/kubectl/redact.ts';
import { Kubectl } from '../../src/kubectl/runner.ts';
import type { SpawnFn } from '../../src/kubectl/runner.ts';

const ECHO = fileURLToPath(new URL('../fixtures/fake-kubectl/kubectl-echo', import.meta.url));

function capture(): { spawn: SpawnFn; calls: Array<{ file: string; args: readonly string[]; input?: string; env: Record<string, string | undefined> }> } {
  const calls: Array<{ file: string; args: readonly string[]; input?: string; env: Record<string, string | undefined> }> = [];
  const spawn: SpawnFn = async (file, args, options) => {
    calls.push({ file, args, env: options.env, ...(options.input === undefined ? {} : { input: options.input }) });
    return { argv: [file, ...args], exitCode: 0, stdout: '', stderr: '', durationMs: 1, timedOut: false };
  };
  return { spawn, calls };
}

interface Echoed {
  argv: string[];
  stdin: string;
  env: Record<string, string | null>;
}

describe('kubectl/argv', () => {
  it('puts --kubeconfig, --context and -n before the command', () => {
    expect(buildArgv({ kubeconfig: '/tmp/k', context: 'admin', namespace: 'rec' }, ['get', 'task/t1'], undefined)).to.deep.equal([
      '--kubeconfig=/tmp/k',
      '--context=admin',
      '-n',
      'rec',
      'get',
      'task/t1',
    ]);
    expect(buildArgv({ namespace: 'rec' }, ['get', 'x'], 'other')).to.deep.equal(['-n', 'other', 'get', 'x']);
    expect(buildArgv({ namespace: 'rec' }, ['get', 'x'], null)).to.deep.equal(['get', 'x']);
    expect(buildArgv({ namespace: 'rec' }, ['get', 'tasks', '-A'], undefined)).to.deep.equal(['get', 'tasks', '-A']);
    expect(buildArgv({}, ['get', 'x'], undefined)).to.deep.equal(['get', 'x']);
  });

  it('redacts token and password values in both flag forms', () => {
    expect(redactArgv(['kubectl', '--token=abc', '--password', 'p4ss', '--token', 'xyz', 'get', 'x'])).to.deep.equal([
      'kubectl',
      '--token=<redacted>',
      '--password',
      '<redacted>',
      '--token',
      '<redacted>',
      'get',
      'x',
    ]);
    expect(redactText('error: bad flag --token=abc and Authorization: Bearer zzz')).to.equal('error: bad flag --token=<redacted> and Authorization: Bearer <redacted>');
  });

  it('the runner passes connection flags, per-call namespaces and stdin to spawn', async () => {
    const { spawn, calls } = capture();
    const k = new Kubectl({ binary: '/opt/kubectl', kubeconfig: '/tmp/kc', context: 'admin', namespace: 'rec', spawn });
    await k.run(['apply', '-f', '-'], { stdin: 'kind: X\n' });
    await k.run(['get', 'ns'], { namespace: null });
    await k.with({ namespace: 'other', context: 'executor' }).run(['get', 'x']);
    expect(calls.map((c) => [c.file, ...c.args])).to.deep.equal([
      ['/opt/kubectl', '--kubeconfig=/tmp/kc', '--context=admin', '-n', 'rec', 'apply', '-f', '-'],
      ['/opt/kubectl', '--kubeconfig=/tmp/kc', '--context=admin', 'get', 'ns'],
      ['/opt/kubectl', '--kubeconfig=/tmp/kc', '--context=executor', '-n', 'other', 'get', 'x'],
    ]);
    expect(calls[0]?.input).to.equal('kind: X\n');
    expect(() => k.with({ namespace: 'NOT OK' })).to.throw(TypeError, /namespace/);
    await k.run(['get', 'x'], { namespace: 'a;b' }).then(
      () => expect.fail('invalid namespace accepted'),
      (e: unknown) => expect(String(e)).to.contain('"a;b" is not a valid namespace'),
    );
  });

  it('real process: no shell, one argument stays one argument, stdin and explicit env arrive', async () => {
    const k = new Kubectl({ binary: ECHO, kubeconfig: '/tmp/kc $(whoami)', env: { PATH: process.env['PATH'], FAKE_KUBECTL_MARK: 'task-a' } });
    process.env['LEAK_CHECK'] = 'should-not-leak';
    try {
      const result = await k.run(['annotate', 'x', 'note=; rm -rf /tmp/nothing', '$(echo pwned)', '`id`', "it's \"quoted\""], { stdin: 'a: 1\n', namespace: null });
      const echoed = JSON.parse(result.stdout) as Echoed;
      expect(echoed.argv).to.deep.equal(['--kubeconfig=/tmp/kc $(whoami)', 'annotate', 'x', 'note=; rm -rf /tmp/nothing', '$(echo pwned)', '`id`', "it's \"quoted\""]);
      expect(echoed.stdin).to.equal('a: 1\n');
      expect(echoed.env).to.deep.equal({ FAKE_KUBECTL_MARK: 'task-a', KUBECONFIG: null, LEAK_CHECK: null });
    } finally {
      delete process.env['LEAK_CHECK'];
    }
  });

  it('real process: kubectl gets the token, result.argv and errors only show <redacted>', async () => {
    const k = new Kubectl({ binary: ECHO });
    const result = await k.run(['--token=s3cr3t-value', 'get', 'x'], { namespace: null });
    const echoed = JSON.parse(result.stdout) as Echoed;
    expect(echoed.argv).to.contain('--token=s3cr3t-value');
    expect(result.argv).to.deep.equal([ECHO, '--token=<redacted>', 'get', 'x']);
    expect(JSON.stringify(result.argv)).to.not.contain('s3cr3t');
  });
});
