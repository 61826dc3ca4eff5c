import { expect } from 'chai';
import { ManifestError } from '../../src/manifest/errors.ts';
import { WorkflowError, parseControlWorkflow } from '../../src/manifest/workflow.ts';

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
    const wf = parseControlWorkflow(WF, 'control-workflows/readout-kube.yaml', { cwd: '/repo', exists: () => true });
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
  it('resolves the manifest path against the workflow file when it is not under cwd', () => {
    const wf = parseControlWorkflow(WF, 'control-workflows/readout-kube.yaml', { cwd: '/repo', exists: () => false });
    expect(wf.manifestPath).to.equal('/repo/control-workflows/templates/readout.yaml');
  });
  it('accepts kubectl_fairmq and derives the name from the file', () => {
    const wf = parseControlWorkflow(
      'control: {mode: kubectl_fairmq}\ncommand: {arguments: [/abs/t.yaml]}\n',
      'dir/stfb-kube.yaml',
      { cwd: '/repo', exists: () => false },
    );
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
    expect(e.message).to.equal(
      'wf.yaml: command.env[0] holds an unresolved ECS expression ({{ }}); ECS resolves these upstream, give a concrete value',
    );
    expect(fails('control: {mode: kubectl_direct}\ncommand: {arguments: [a]}\nproperties: {x: "{{ y }}"}\n').message).to.contain(
      'properties.x holds an unresolved',
    );
  });
});
