import { expect } from 'chai';
import createDebug from 'debug';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { format } from 'node:util';
import { KubectlError } from '../../src/kubectl/errors.ts';
import { patchJson, patchMerge } from '../../src/kubectl/commands.ts';
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
    expect(redactText('error: bad flag --token=abc and Authorization: Bearer zzz')).to.equal(
      'error: bad flag --token=<redacted> and Authorization: Bearer <redacted>',
    );
  });

  it('redacts secret keys in -p/--patch JSON (merge and JSON-patch paths) and --from-literal values, keeping the rest readable', () => {
    const jsonPatch = JSON.stringify([
      { op: 'add', path: '/spec/arguments', value: { password: 'hunter2', environment_id: 'E1' } },
      { op: 'replace', path: '/spec/arguments/api_token', value: 't0k3n' },
      { op: 'add', path: '/spec/state', value: 'configured' },
    ]);
    const redacted = redactArgv([
      'kubectl',
      'patch',
      'task/t1',
      '--type=json',
      '-p',
      jsonPatch,
      '--patch={"data":{"DB_PASSWD":"pw1","user":"bob"}}',
      '-p{"spec":{"clientSecret":"cs"}}',
    ]);
    expect(JSON.parse(redacted[5] ?? '')).to.deep.equal([
      { op: 'add', path: '/spec/arguments', value: { password: '<redacted>', environment_id: 'E1' } },
      { op: 'replace', path: '/spec/arguments/api_token', value: '<redacted>' },
      { op: 'add', path: '/spec/state', value: 'configured' },
    ]);
    expect(redacted[6]).to.equal('--patch={"data":{"DB_PASSWD":"<redacted>","user":"bob"}}');
    expect(redacted[7]).to.equal('-p{"spec":{"clientSecret":"<redacted>"}}');
    expect(redactArgv(['kubectl', '-p', '{"spec":{"state":"running"}}'])[2]).to.equal('{"spec":{"state":"running"}}');
    expect(redactArgv(['kubectl', '-p', 'password: hunter2'])[2]).to.equal('<redacted>'); // not JSON: all of it
    expect(
      redactArgv([
        'kubectl',
        'create',
        'secret',
        'generic',
        's',
        '--from-literal=db-password=hunter2',
        '--from-literal',
        'apiKey=k3y',
        '--from-literal=user=bob',
      ]),
    ).to.deep.equal([
      'kubectl',
      'create',
      'secret',
      'generic',
      's',
      '--from-literal=db-password=<redacted>',
      '--from-literal',
      'apiKey=<redacted>',
      '--from-literal=user=bob',
    ]);
    expect(redactArgv(redacted)).to.deep.equal(redacted);
    expect(redactText('{"password": "hunter2", "user": "bob"} --from-literal=TOKEN=abc')).to.equal(
      '{"password": "<redacted>", "user": "bob"} --from-literal=TOKEN=<redacted>',
    );
  });

  it('runner: patch secrets reach kubectl in a 0600 patch file only, never argv, result.argv, error messages, onAttempt or debug lines', async () => {
    const seen: string[][] = [];
    const patchFiles: Array<{ path: string; text: string; mode: number }> = [];
    const events: string[] = [];
    const debugLines: string[] = [];
    const spawn: SpawnFn = async (file, args) => {
      seen.push([...args]);
      const path = args.find((a) => a.startsWith('--patch-file='))?.slice('--patch-file='.length);
      if (path !== undefined) patchFiles.push({ path, text: readFileSync(path, 'utf8'), mode: statSync(path).mode & 0o777 });
      return {
        argv: [file, ...args],
        exitCode: 1,
        stdout: '',
        stderr: 'Error from server (InternalError): an error on the server ("unknown") has prevented the request from succeeding\n',
        durationMs: 1,
        timedOut: false,
      };
    };
    const k = new Kubectl({ spawn, namespace: 'rec', sleep: async () => {}, onAttempt: (e) => events.push(JSON.stringify(e)) });
    const t1 = { apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', name: 't1', namespace: 'rec' };
    const previousLog = createDebug.log;
    const previousNamespaces = createDebug.disable();
    createDebug.log = (...args: unknown[]) => void debugLines.push(format(...args));
    createDebug.enable('kubectl-task:*');
    try {
      const errors = [
        await patchJson(k, t1, [{ op: 'add', path: '/spec/arguments', value: { password: 'hunter2' } }]).catch((e: unknown) => e),
        await patchMerge(k, t1, { spec: { arguments: { token: 'hunter2' } } }).catch((e: unknown) => e),
      ];
      for (const error of errors) {
        expect(error).to.be.instanceOf(KubectlError);
        const ke = error as KubectlError;
        expect(ke.reason).to.equal('ServerError');
        expect(`${ke.message} ${JSON.stringify(ke.result?.argv)}`).to.not.contain('hunter2');
        expect(ke.result?.argv.join(' ')).to.match(/ --patch-file=\S+patch\.json /);
      }
    } finally {
      createDebug.log = previousLog;
      createDebug.enable(previousNamespaces);
    }
    expect(seen.some((args) => args.join(' ').includes('hunter2'))).to.equal(false);
    // Every attempt (the ServerError is retried) found the file; it is gone once the call ended.
    expect(patchFiles).to.have.length(seen.length);
    for (const f of patchFiles) {
      expect(f.text).to.contain('hunter2');
      expect(f.mode).to.equal(0o600);
      expect(existsSync(f.path)).to.equal(false);
    }
    expect(events.length).to.be.greaterThan(0);
    expect(debugLines.length).to.be.greaterThan(0);
    expect([...events, ...debugLines].join('\n')).to.not.contain('hunter2');
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
      const result = await k.run(['annotate', 'x', 'note=; rm -rf /tmp/nothing', '$(echo pwned)', '`id`', 'it\'s "quoted"'], {
        stdin: 'a: 1\n',
        namespace: null,
      });
      const echoed = JSON.parse(result.stdout) as Echoed;
      expect(echoed.argv).to.deep.equal([
        '--kubeconfig=/tmp/kc $(whoami)',
        'annotate',
        'x',
        'note=; rm -rf /tmp/nothing',
        '$(echo pwned)',
        '`id`',
        'it\'s "quoted"',
      ]);
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
