import { expect } from 'chai';
import path from 'node:path';
import { execa } from 'execa';
import { EnvParseError, parseEnvList } from '../../src/render/env-list.ts';
import { RenderError } from '../../src/render/errors.ts';
import { renderTask } from '../../src/task/render-task.ts';
import { TEMPLATE_FLAGS, parse, templateFlags } from '../../src/cli/flags.ts';
import { REPO_ROOT } from '../helpers/sandbox.ts';

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'process-env.yaml');
const BIN = path.join(REPO_ROOT, 'bin', 'kubectl-task.js');
const task = (properties: Record<string, string>): string =>
  `apiVersion: aliecs.alice.cern/v1alpha1\nkind: Task\nmetadata:\n  name: t\nspec:\n  state: standby\n  properties:\n${Object.entries(properties)
    .map(([k, v]) => `    ${k}: "${v}"\n`)
    .join('')}`;
const properties = (rendered: { manifest: { task: Record<string, unknown> } }): unknown =>
  (rendered.manifest.task['spec'] as { properties: unknown }).properties;

describe('render: --env NAME passes one process variable through (docker run -e NAME)', () => {
  const shell = { http_proxy: 'http://proxy.example:3128', https_proxy: 'http://proxy.example:3129', API_TOKEN: 'fromshell' };

  it('takes a bare NAME from the given environment; an unset NAME stays unset', () => {
    const env = parseEnvList(['A=1', 'http_proxy', 'https_proxy', 'no_proxy'], { passThrough: shell });
    expect(env).to.deep.equal({ A: '1', http_proxy: shell.http_proxy, https_proxy: shell.https_proxy });
  });
  it('a later item wins, whichever its form', () => {
    expect(parseEnvList(['http_proxy=x', 'http_proxy'], { passThrough: shell })).to.deep.equal({ http_proxy: shell.http_proxy });
    expect(parseEnvList(['http_proxy', 'http_proxy=x'], { passThrough: shell })).to.deep.equal({ http_proxy: 'x' });
  });
  it('rejects a bare item that is not a variable name, and any bare item without an environment', () => {
    expect(() => parseEnvList(['A=1', 'not-a-name'], { passThrough: shell })).to.throw(EnvParseError, 'env item 2: invalid variable name "not-a-name"');
    expect(() => parseEnvList(['http_proxy'])).to.throw(EnvParseError, 'env item 1 "http_proxy" has no "="');
  });
  it('templateFlags reads --env NAME from the injected environment and nothing else from it', async () => {
    const { flags: given } = parse('render', ['-f', 't.yaml', '--env', 'TASK_NAME=x', '--env', 'http_proxy', '-e', 'no_proxy'], TEMPLATE_FLAGS);
    const flags = await templateFlags('render', given, { env: shell });
    expect(flags.env).to.deep.equal({ TASK_NAME: 'x', http_proxy: shell.http_proxy });
    expect(flags.placeholders).to.equal('braced');
  });
  it('templateFlags: --env-file values are overridden by --env NAME when NAME is set', async () => {
    const { flags: given } = parse('render', ['-f', 't.yaml', '--env-file', 'e.env', '--env', 'http_proxy', '--env', 'no_proxy'], TEMPLATE_FLAGS);
    const readText = async (): Promise<string> => 'http_proxy=from-file\nno_proxy=localhost\n';
    const flags = await templateFlags('render', given, { env: shell, readText });
    expect(flags.env).to.deep.equal({ http_proxy: shell.http_proxy, no_proxy: 'localhost' });
  });
});

describe('render: the process environment never fills a template', () => {
  it('library: renderTask without baseEnv sees only env and the executor variables', async () => {
    // PATH and HOME are set in any test process: no need to write process.env to prove it.
    expect(process.env['PATH']).to.be.a('string');
    const text = task({ path: '${PATH:-none}', home: '${HOME:-none}', cmd: '${KUBE_COMMAND}', own: '${OWN}' });
    const rendered = await renderTask({ taskId: 't', template: { text, file: 't.yaml' }, env: { OWN: 'mine' }, executor: { command: 'run', uid: 1, gid: 1 } });
    expect(properties(rendered)).to.deep.equal({ path: 'none', home: 'none', cmd: 'run', own: 'mine' });
    const missing = await renderTask({ taskId: 't', template: { text: task({ path: '${PATH}' }), file: 'p.yaml' } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(missing).to.be.instanceOf(RenderError);
    expect((missing as RenderError).missing.map((m) => m.name)).to.deep.equal(['PATH']);
  });
  it('library: baseEnv, when given, is used under env', async () => {
    const rendered = await renderTask({
      taskId: 't',
      template: { text: task({ a: '${A}', b: '${B}' }), file: 't.yaml' },
      env: { B: 'task' },
      baseEnv: { A: 'base', B: 'base' },
    });
    expect(properties(rendered)).to.deep.equal({ a: 'base', b: 'task' });
  });

  describe('CLI: bin/kubectl-task.js with a process environment', function () {
    this.timeout(60_000);
    const run = (argv: string[], env: Record<string, string>) =>
      execa(process.execPath, [BIN, ...argv], { env: { PATH: process.env['PATH'] ?? '', ...env }, extendEnv: false, reject: false });

    it('a process variable not named on the command line is not visible; --env NAME passes one through', async () => {
      const r = await run(['render', '-f', FIXTURE, '--env', 'TASK_NAME=t1', '--env', 'http_proxy', '--env', 'no_proxy', '-n', 'demo', '-o', 'json'], {
        API_TOKEN: 'fromshell-QQ',
        HOME: '/home/fromshell',
        http_proxy: 'http://proxy.example:3128',
      });
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stdout).not.to.contain('fromshell');
      const task = JSON.parse(r.stdout) as { spec: { properties: Record<string, string> } };
      expect(task.spec.properties).to.deep.equal({ token: 'not-given', home: 'not-given', http_proxy: 'http://proxy.example:3128', no_proxy: 'unset' });
    });
    it('a required variable set only in the process environment is missing, in one line with the ways out', async () => {
      const r = await run(['render', '-f', FIXTURE, '-n', 'demo'], { TASK_NAME: 'from-shell' });
      expect(r.exitCode).to.equal(2);
      expect(r.stderr.trim().split('\n')).to.have.length(1);
      expect(r.stderr).to.contain(
        `${FIXTURE}: missing variables: TASK_NAME (line 6); set it with --env TASK_NAME=…, give a default with \${TASK_NAME:-default}, write $$ for a literal $, or pass --allow-missing`,
      );
    });
  });
});
