/**
 * Offline checks of the shipped content: templates, *-test.yaml variants, control workflows and
 * the install manifests. Sandbox-backed checks (apply on a server) live elsewhere.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { parse, parseAllDocuments } from 'yaml';
import { buildManifest } from '../../src/manifest/manifest.ts';
import { parseControlWorkflow } from '../../src/manifest/workflow.ts';
import { executorEnv } from '../../src/render/executor-env.ts';
import { KUBECTL_PARSE_OPTIONS } from '../../src/render/kubectl-yaml.ts';
import { renderTemplate } from '../../src/render/template.ts';
import { taskEnvironment } from '../../src/render/task-env.ts';
import { kubectlRead } from '../render/kubectl-read.ts';
import { describeWithReference, UPSTREAM_CRD } from '../helpers/reference.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (p: string): string => readFileSync(`${root}${p}`, 'utf8');
const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';

/** Workflow → template pairs; the workflow provides the env a launch would use. */
const PAIRS = [
  ['readout', 'readout'],
  ['stfsender', 'stfsender'],
  ['stfbuilder-senderoutput', 'stfbuilder-senderoutput'],
  ['example', 'example'],
] as const;

function envFor(workflow: string): { env: Readonly<Record<string, string>>; manifestPath: string; name: string } {
  const file = `control-workflows/${workflow}-kube.yaml`;
  const wf = parseControlWorkflow(read(file), file, { cwd: root });
  const executor = executorEnv({
    ...(wf.command === undefined ? {} : { command: wf.command }),
    arguments: wf.arguments,
    uid: 1000,
    gid: 1000,
    supplementalGroups: [1000, 1001],
  });
  return { env: taskEnvironment({ base: {}, executor, taskEnv: { ...wf.env, TASK_NAME: `${wf.name}-test` } }), manifestPath: wf.manifestPath, name: wf.name };
}

/** Variable names listed in a template's header comment. */
function headerVariables(text: string): Set<string> {
  const header = text
    .split('\n')
    .filter((l) => l.startsWith('#'))
    .join('\n');
  return new Set(header.match(/\b[A-Z][A-Z0-9_]*[A-Z0-9]\b/g) ?? []);
}

describe('content: templates and control workflows', () => {
  for (const [workflow, template] of PAIRS) {
    describe(`${template}.yaml`, () => {
      const text = read(`templates/${template}.yaml`);
      it(`control-workflows/${workflow}-kube.yaml parses and points at the template`, () => {
        const { manifestPath } = envFor(workflow);
        expect(manifestPath).to.equal(`${root}templates/${template}.yaml`);
        expect(existsSync(manifestPath)).to.equal(true);
      });
      it('renders strictly with its workflow env and yields one Task', () => {
        const { env } = envFor(workflow);
        const r = renderTemplate({ text, file: `templates/${template}.yaml`, env });
        const m = buildManifest({ documents: r.documents, file: template, taskId: 'content-test' });
        expect(m.task.metadata.name).to.equal(`${workflow}-test`);
        expect(m.task['spec']).to.have.nested.property('pod.containers');
      });
      it('lists every variable it uses in its header comment', () => {
        const r = renderTemplate({ text, env: {}, allowMissing: true });
        const listed = headerVariables(text);
        for (const v of r.variables) expect(listed.has(v), `${v} not in the header of ${template}.yaml`).to.equal(true);
      });
      it('is strict: without env, every required variable is reported', () => {
        expect(() => renderTemplate({ text, file: `templates/${template}.yaml`, env: {} })).to.throw(/missing variables: /);
      });
      it(`${template}-test.yaml is valid YAML equal to the template rendered with the workflow env`, () => {
        // Read as kubectl reads it (YAML 1.1): `yes` or `0644` would not be strings there.
        const docs = parseAllDocuments(read(`templates/${template}-test.yaml`), KUBECTL_PARSE_OPTIONS);
        if (!Array.isArray(docs)) throw new Error('no documents');
        for (const d of docs) expect(d.errors).to.deep.equal([]);
        const { env } = envFor(workflow);
        const r = renderTemplate({ text, env });
        expect(docs.map((d) => d.toJS() as unknown)).to.deep.equal(r.documents);
        expect(read(`templates/${template}-test.yaml`)).not.to.contain('$');
      });
      it(`the real kubectl reads ${template}-test.yaml and our rendering as the same documents`, function () {
        if (!existsSync(KUBECTL)) this.skip();
        const { env } = envFor(workflow);
        const r = renderTemplate({ text, env });
        expect(kubectlRead(read(`templates/${template}-test.yaml`))).to.deep.equal(r.documents);
        expect(kubectlRead(r.yaml)).to.deep.equal(r.documents);
      });
    });
  }

  it('the readout Task carries the upstream structure', () => {
    const { env } = envFor('readout');
    const [task] = renderTemplate({ text: read('templates/readout.yaml'), env }).documents;
    expect(task).to.nested.include({
      'spec.state': 'standby',
      'spec.control.mode': 'direct',
      'spec.control.port': 47101,
      'spec.pod.hostNetwork': true,
      'spec.pod.hostIPC': true,
      'spec.pod.securityContext.fsGroup': 1000,
      'spec.pod.containers[0].securityContext.privileged': true,
      'spec.pod.containers[0].securityContext.runAsUser': 1000,
      'spec.pod.containers[0].command[2]': 'o2-readout-exe file:/etc/flp.d/readout/readout.cfg',
      'spec.bind[0].transport': 'shmem',
    });
    expect(task).to.have.nested.property('spec.pod.securityContext.supplementalGroups').that.deep.equals([1000, 1001]);
  });

  it('every control workflow in control-workflows/ parses', () => {
    const files = readdirSync(`${root}control-workflows`).filter((f) => f.endsWith('.yaml'));
    expect(files).to.have.length.at.least(4);
    for (const f of files) {
      const wf = parseControlWorkflow(read(`control-workflows/${f}`), `control-workflows/${f}`, { cwd: root });
      expect(existsSync(wf.manifestPath), f).to.equal(true);
      const code = read(`control-workflows/${f}`)
        .split('\n')
        .filter((l) => !l.trim().startsWith('#'));
      expect(code.join('\n'), f).not.to.match(/\{\{/);
    }
  });
});

describe('content: install manifests', () => {
  it('kubectl kustomize manifests/ succeeds and yields the CRD, namespace and RBAC', function () {
    if (!existsSync(KUBECTL)) this.skip();
    const out = execFileSync(KUBECTL, ['kustomize', `${root}manifests`], { encoding: 'utf8', timeout: 60_000 });
    const docs = parseAllDocuments(out);
    if (!Array.isArray(docs)) throw new Error('no documents');
    const kinds = docs.map((d) => {
      const o = d.toJS() as { kind: string; metadata: { name: string } };
      return `${o.kind}/${o.metadata.name}`;
    });
    expect(kinds).to.include.members([
      'CustomResourceDefinition/tasks.aliecs.alice.cern',
      'Namespace/o2-tasks',
      'ServiceAccount/kubectl-task-executor',
      'Role/kubectl-task-executor',
      'RoleBinding/kubectl-task-executor',
      'ServiceAccount/kubectl-task-controller',
      'Role/kubectl-task-controller',
      'RoleBinding/kubectl-task-controller',
    ]);
  });

  // The upstream CRD is in the reference folder, outside the repository: pending without it.
  describeWithReference('manifests/task-crd.yaml against the upstream Task CRD', () => {
    it('accepts every spec/status field the upstream CRD declares', () => {
      type Schema = { properties?: Record<string, Schema>; items?: Schema; 'x-kubernetes-preserve-unknown-fields'?: boolean; required?: string[] };
      const ours = parse(read('manifests/task-crd.yaml')) as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } };
      const schema = ours.spec.versions[0]?.schema.openAPIV3Schema;
      if (schema === undefined) throw new Error('manifests/task-crd.yaml: no spec.versions[0].schema.openAPIV3Schema');
      const upstreamDocs = parseAllDocuments(readFileSync(UPSTREAM_CRD, 'utf8'));
      if (!Array.isArray(upstreamDocs)) throw new Error(`${UPSTREAM_CRD}: not a YAML stream`);
      const upstream = (upstreamDocs[0]?.toJS() as typeof ours | undefined)?.spec.versions[0]?.schema.openAPIV3Schema;
      if (upstream === undefined) throw new Error(`${UPSTREAM_CRD}: no spec.versions[0].schema.openAPIV3Schema`);
      const missing: string[] = [];
      const walk = (up: Schema, our: Schema, path: string): void => {
        if (our['x-kubernetes-preserve-unknown-fields'] === true) return;
        for (const [k, sub] of Object.entries(up.properties ?? {})) {
          const mine = our.properties?.[k];
          if (mine === undefined) missing.push(`${path}.${k}`);
          else walk(sub, mine, `${path}.${k}`);
        }
        if (up.items !== undefined && our.items !== undefined) walk(up.items, our.items, `${path}[]`);
        for (const r of our.required ?? []) {
          if (!(up.required ?? []).includes(r)) missing.push(`${path} requires ${r} (upstream does not)`);
        }
      };
      walk(upstream, schema, '');
      expect(missing).to.deep.equal([]);
    });
  });
});
