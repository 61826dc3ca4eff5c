import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ManifestError } from '../../src/manifest/errors.ts';
import { MANIFEST_PATH_RULE, WorkflowError, parseControlWorkflow } from '../../src/manifest/workflow.ts';

const WF = `
name: readout
control:
  mode: kubectl_direct
properties:
  detector: TST
  level: 3
command:
  env:
    - O2_DETECTOR=TST
    - MSG="two words"
  shell: true
  user: flp
  value: o2-readout-exe
  arguments:
    - templates/readout.yaml
    - "file:/etc/x.cfg"
    - 5
`;

function fails(text: string): WorkflowError {
  try {
    parseControlWorkflow(text, 'wf.yaml', { cwd: '/repo', exists: () => true });
  } catch (e) {
    expect(e).to.be.instanceOf(WorkflowError);
    expect(e).to.be.instanceOf(ManifestError);
    return e as WorkflowError;
  }
  throw new Error('expected a WorkflowError');
}

describe('manifest: parseControlWorkflow', () => {
  it('reads mode, manifest path, remaining arguments, env, user and properties', () => {
    const wf = parseControlWorkflow(WF, 'control-workflows/readout-kube.yaml', { cwd: '/repo', exists: (p) => p === '/repo/templates/readout.yaml' });
    expect(wf).to.deep.equal({
      name: 'readout',
      mode: 'kubectl_direct',
      manifestPath: '/repo/templates/readout.yaml',
      command: 'o2-readout-exe',
      arguments: ['file:/etc/x.cfg', '5'],
      env: { O2_DETECTOR: 'TST', MSG: 'two words' },
      user: 'flp',
      shell: true,
      properties: { detector: 'TST', level: '3' },
    });
  });
  describe('finding command.arguments[0] (MANIFEST_PATH_RULE)', () => {
    it('the rule is stated for the help text', () => {
      expect(MANIFEST_PATH_RULE).to.match(/^an absolute command\.arguments\[0\] is used as is; .*never in the current directory$/);
    });

    const only =
      (...present: string[]) =>
      (p: string) =>
        present.includes(p);

    it("prefers the workflow file's directory", () => {
      const exists = only('/repo/control-workflows/templates/readout.yaml', '/repo/templates/readout.yaml');
      const wf = parseControlWorkflow(WF, 'control-workflows/readout-kube.yaml', { cwd: '/repo', exists });
      expect(wf.manifestPath).to.equal('/repo/control-workflows/templates/readout.yaml');
    });

    it("falls back to the directory above the workflow's (the repository root of control-workflows/)", () => {
      const wf = parseControlWorkflow(WF, '/repo/control-workflows/readout-kube.yaml', { cwd: '/elsewhere', exists: only('/repo/templates/readout.yaml') });
      expect(wf.manifestPath).to.equal('/repo/templates/readout.yaml');
    });

    it('never looks in the current directory; a miss names both places looked at', () => {
      const e = (() => {
        try {
          parseControlWorkflow(WF, '/repo/control-workflows/readout-kube.yaml', { cwd: '/work', exists: only('/work/templates/readout.yaml') });
        } catch (error) {
          return error;
        }
        throw new Error('expected a WorkflowError');
      })();
      expect(e).to.be.instanceOf(WorkflowError);
      expect((e as WorkflowError).message).to.equal(
        '/repo/control-workflows/readout-kube.yaml: command.arguments[0] "templates/readout.yaml" not found: looked in ' +
          "/repo/control-workflows/templates/readout.yaml and /repo/templates/readout.yaml (a relative manifest path is taken from the workflow's directory, then its parent)",
      );
    });

    it('a relative workflow file is taken from cwd, and the manifest from there', () => {
      const wf = parseControlWorkflow(WF, 'wf/readout-kube.yaml', { cwd: '/a/b', exists: only('/a/b/wf/templates/readout.yaml') });
      expect(wf.manifestPath).to.equal('/a/b/wf/templates/readout.yaml');
    });

    it('on disk, whatever the process cwd (control-workflows/ layout and manifest beside the workflow)', async () => {
      const root = await mkdtemp(join(tmpdir(), 'kubectl-task-workflow-'));
      try {
        await mkdir(join(root, 'repo', 'control-workflows'), { recursive: true });
        await mkdir(join(root, 'repo', 'templates'));
        await writeFile(join(root, 'repo', 'templates', 'readout.yaml'), 'kind: Task\n');
        await writeFile(join(root, 'repo', 'control-workflows', 'beside.yaml'), 'kind: Task\n');
        const workflow = join(root, 'repo', 'control-workflows', 'readout-kube.yaml');
        // The process cwd (the checkout, which has a templates/readout.yaml too) must not matter.
        expect(parseControlWorkflow(WF, workflow).manifestPath).to.equal(join(root, 'repo', 'templates', 'readout.yaml'));
        const beside = WF.replace('- templates/readout.yaml', '- beside.yaml');
        expect(parseControlWorkflow(beside, workflow, { cwd: '/' }).manifestPath).to.equal(join(root, 'repo', 'control-workflows', 'beside.yaml'));
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    });
  });
  it('accepts kubectl_fairmq and derives the name from the file', () => {
    const wf = parseControlWorkflow('control: {mode: kubectl_fairmq}\ncommand: {arguments: [/abs/t.yaml]}\n', 'dir/stfb-kube.yaml', {
      cwd: '/repo',
      exists: () => false,
    });
    expect(wf.mode).to.equal('kubectl_fairmq');
    expect(wf.name).to.equal('stfb');
    expect(wf.manifestPath).to.equal('/abs/t.yaml');
    expect(wf.arguments).to.deep.equal([]);
    expect(wf.env).to.deep.equal({});
  });
  it('errors name the file and the field', () => {
    expect(fails('control: {mode: direct}\ncommand: {arguments: [a]}\n').message).to.equal(
      'wf.yaml: control.mode must be one of kubectl_direct, kubectl_fairmq (got "direct")',
    );
    expect(fails('control: {mode: kubectl_direct}\ncommand: {arguments: []}\n').message).to.equal(
      'wf.yaml: command.arguments[0] (the manifest path) is missing',
    );
    expect(fails('control: {mode: kubectl_direct}\n').message).to.contain('wf.yaml: command is missing');
    expect(fails('control: {mode: kubectl_direct}\ncommand: {arguments: [a], env: [NOEQ]}\n').message).to.equal(
      'wf.yaml: command.env item 1 "NOEQ" has no "=" (expected NAME=value)',
    );
    expect(fails('- a\n').message).to.contain('expected a mapping');
    expect(fails('a: [\n').message).to.match(/^wf\.yaml: YAML syntax error/);
  });
  it('rejects unresolved ECS {{ }} expressions in consumed fields, without echoing values', () => {
    const e = fails('control: {mode: kubectl_direct}\ncommand:\n  arguments: [a]\n  env: ["PASSWORD={{ secret }}"]\n');
    expect(e.message).to.equal('wf.yaml: command.env[0] holds an unresolved ECS expression ({{ }}); ECS resolves these upstream, give a concrete value');
    expect(fails('control: {mode: kubectl_direct}\ncommand: {arguments: [a]}\nproperties: {x: "{{ y }}"}\n').message).to.contain(
      'properties.x holds an unresolved',
    );
  });
});
