import { expect } from 'chai';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { KUBECTL_PARSE_OPTIONS } from '../../src/render/kubectl-yaml.ts';
import { renderTemplate } from '../../src/render/template.ts';
import { RenderError } from '../../src/render/errors.ts';
import { main } from '../../src/cli/main.ts';
import { captureOut } from '../helpers/capture.ts';
import { REPO_ROOT } from '../helpers/sandbox.ts';

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'stfsender-test.yaml');
const text = readFileSync(FIXTURE, 'utf8');
const SHELL_COMMAND =
  'source /etc/profile.d/modules.sh && module load Control-OCCPlugin DataDistribution && StfSender --id stfs --transport shmem ' +
  '--input-channel-name buildertosender --stand-alone -S $CONTROL_OCCPLUGIN_ROOT/lib/ -P OCC --color false --severity $O2_INFOLOGGER_SEVERITY';

interface TaskDoc {
  spec: { pod: { containers: { command: string[]; env: { name: string; value: string }[] }[] } };
}
const command = (doc: unknown): string | undefined => (doc as TaskDoc).spec.pod.containers[0]?.command[2];

function renderError(run: () => unknown): RenderError {
  try {
    run();
  } catch (e) {
    expect(e).to.be.instanceOf(RenderError);
    return e as RenderError;
  }
  throw new Error('expected a RenderError');
}

describe("render: ${VAR} is the placeholder, a bare $VAR is the container shell's", () => {
  it('a filled upstream-style manifest renders unchanged, $CONTROL_OCCPLUGIN_ROOT included', () => {
    const r = renderTemplate({ text, file: 'stfsender-test.yaml', env: {} });
    const parsed = parseAllDocuments(text, KUBECTL_PARSE_OPTIONS);
    if (!Array.isArray(parsed)) throw new Error('expected documents');
    expect(r.documents).to.deep.equal(parsed.map((d) => d.toJS() as unknown));
    expect(r.variables).to.deep.equal([]);
    expect(command(r.documents[0])).to.equal(SHELL_COMMAND);
    // What kubectl receives reads back as the same text.
    expect(command(parseYaml(r.yaml, KUBECTL_PARSE_OPTIONS))).to.equal(SHELL_COMMAND);
  });
  it('bare names stay text next to real placeholders, in every scalar form', () => {
    const r = renderTemplate({ text: 'a: $HOME/${SUB}\nb: "x $A y"\nc: |\n  echo $PATH ${SUB}\n$K: v\n', file: 't.yaml', env: { SUB: 's' } });
    expect(r.documents).to.deep.equal([{ a: '$HOME/s', b: 'x $A y', c: 'echo $PATH s\n', $K: 'v' }]);
    expect(r.variables).to.deep.equal(['SUB']);
  });
  it('$$ is still a literal $: $${HOME} gives the container ${HOME}, $$$$ gives $$', () => {
    const r = renderTemplate({ text: 'a: "$${HOME} $$HOME $$$$ $$$X"\n', file: 't.yaml', env: {} });
    expect(r.documents).to.deep.equal([{ a: '${HOME} $HOME $$ $$X' }]);
  });
  it('a malformed ${…} is still an error, naming only the braced forms', () => {
    const e = renderError(() => renderTemplate({ text: 'a: 1\nb: "${A-b} $FINE"\n', file: 't.yaml', env: {} }));
    expect(e.message).to.equal('t.yaml:2: malformed placeholder "${A-b}" (use ${NAME}, ${NAME:-default}, or $$ for a literal $)');
    const bare = renderError(() => renderTemplate({ text: 'b: "${A-b}"\n', file: 't.yaml', env: {}, placeholders: 'braced-and-bare' }));
    expect(bare.message).to.contain('(use ${NAME}, ${NAME:-default}, $NAME, or $$ for a literal $)');
  });
  it("'braced-and-bare' expands $CONTROL_OCCPLUGIN_ROOT, and reports it missing when unset (the original's behaviour)", () => {
    const env = { CONTROL_OCCPLUGIN_ROOT: '/opt/occ', O2_INFOLOGGER_SEVERITY: 'debug' };
    const r = renderTemplate({ text, file: 'stfsender-test.yaml', env, placeholders: 'braced-and-bare' });
    expect(command(r.documents[0])).to.contain('-S /opt/occ/lib/ -P OCC --color false --severity debug');
    expect(r.variables).to.deep.equal(['CONTROL_OCCPLUGIN_ROOT', 'O2_INFOLOGGER_SEVERITY']);
    const line = text.split('\n').findIndex((l) => l.includes('StfSender --id')) + 1;
    const e = renderError(() => renderTemplate({ text, file: 'stfsender-test.yaml', env: {}, placeholders: 'braced-and-bare' }));
    expect(e.message).to.equal(
      `stfsender-test.yaml: missing variables: CONTROL_OCCPLUGIN_ROOT (line ${line}), O2_INFOLOGGER_SEVERITY (line ${line}); ` +
        'set them with --env CONTROL_OCCPLUGIN_ROOT=…, give a default with ${CONTROL_OCCPLUGIN_ROOT:-default}, write $$ for a literal $, or pass --allow-missing',
    );
  });
  it('one missing variable: "set it", and the message stays one line', () => {
    const e = renderError(() => renderTemplate({ text: 'a: 1\nb: ${ONLY}\n', file: 'f.yaml', env: {} }));
    expect(e.message).to.equal(
      'f.yaml: missing variables: ONLY (line 2); set it with --env ONLY=…, give a default with ${ONLY:-default}, write $$ for a literal $, or pass --allow-missing',
    );
    expect(e.message).not.to.contain('\n');
  });
});

describe('cli render: --expand-bare-vars', function () {
  this.timeout(30_000);
  async function run(...argv: string[]) {
    const out = captureOut();
    const code = await main(argv, { out, signal: new AbortController().signal });
    return { code, stdout: out.stdoutText(), stderr: out.stderrText() };
  }

  it('by default prints the shell command as written', async () => {
    const r = await run('render', '-f', FIXTURE, '-n', 'demo');
    expect(r.code, r.stderr).to.equal(0);
    expect(command(parseYaml(r.stdout))).to.equal(SHELL_COMMAND);
  });
  it('--expand-bare-vars fills $VAR from the task env', async () => {
    const r = await run(
      'render',
      '-f',
      FIXTURE,
      '-n',
      'demo',
      '--expand-bare-vars',
      '--env',
      'CONTROL_OCCPLUGIN_ROOT=/opt/occ',
      '--env',
      'O2_INFOLOGGER_SEVERITY=debug',
    );
    expect(r.code, r.stderr).to.equal(0);
    expect(command(parseYaml(r.stdout))).to.contain('-S /opt/occ/lib/ -P OCC --color false --severity debug');
  });
  it('--expand-bare-vars without the variables: exit 2, one line', async () => {
    const r = await run('render', '-f', FIXTURE, '-n', 'demo', '--expand-bare-vars');
    expect(r.code).to.equal(2);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.contain(`${FIXTURE}: missing variables: CONTROL_OCCPLUGIN_ROOT (line `);
  });
});
