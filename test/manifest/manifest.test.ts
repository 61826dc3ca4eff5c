import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { JsonObject } from '../../src/json.ts';
import { buildManifest } from '../../src/manifest/manifest.ts';
import { renderTemplate } from '../../src/render/template.ts';
import { ManifestError } from '../../src/manifest/errors.ts';
import { ANNOTATION_ORIGINAL_NAME, LABEL_MANAGED_BY, LABEL_NAME, LABEL_TASK_ID } from '../../src/manifest/labels.ts';

const task = (name = 'readout', extra: JsonObject = {}): JsonObject => ({
  apiVersion: 'aliecs.alice.cern/v1alpha1',
  kind: 'Task',
  metadata: { name, ...extra },
  spec: { state: 'standby', pod: { containers: [{ name: 'c', image: 'i' }] } },
});
const cm = (name = 'cfg', extra: JsonObject = {}): JsonObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...extra },
  data: { a: 'b' },
});

function fails(fn: () => unknown): ManifestError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(ManifestError);
    return e as ManifestError;
  }
  throw new Error('expected a ManifestError');
}

describe('manifest: buildManifest', () => {
  it('finds the one Task, keeps input order and refs', () => {
    const m = buildManifest({ documents: [cm(), task()], file: 'm.yaml', taskId: 'id-1' });
    expect(m.task.kind).to.equal('Task');
    expect(m.companions.map((o) => o.kind)).to.deep.equal(['ConfigMap']);
    expect(m.objects.map((o) => o.kind)).to.deep.equal(['ConfigMap', 'Task']);
    expect(m.refs).to.deep.equal([
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'cfg', namespace: 'default' },
      { apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', name: 'readout', namespace: 'default' },
    ]);
    expect(m.taskRef).to.deep.equal(m.refs[1]);
    expect(m.namespace).to.equal('default');
  });
  it('does not mutate its input', () => {
    const docs = [task('Bad_Name')];
    const before = JSON.stringify(docs);
    buildManifest({ documents: docs, taskId: 'x' });
    expect(JSON.stringify(docs)).to.equal(before);
  });
  it('ignores empty documents', () => {
    const m = buildManifest({ documents: [null, {}, task()], taskId: 'x' });
    expect(m.objects).to.have.length(1);
  });
  it('zero Tasks → ManifestError naming the file and documents', () => {
    const e = fails(() => buildManifest({ documents: [cm()], file: 'm.yaml', taskId: 'x' }));
    expect(e.reason).to.equal('ManifestError');
    expect(e.message).to.equal('m.yaml: no Task (aliecs.alice.cern/v1alpha1) found; a manifest needs exactly one (found: document 1 ConfigMap/cfg)');
    expect(fails(() => buildManifest({ documents: [], file: 'e.yaml', taskId: 'x' })).message).to.contain('no documents');
  });
  it('two Tasks → ManifestError naming both', () => {
    const e = fails(() => buildManifest({ documents: [task('a'), cm(), task('b')], file: 'm.yaml', taskId: 'x' }));
    expect(e.message).to.equal('m.yaml: 2 Tasks found (document 1 Task/a, document 3 Task/b); a manifest needs exactly one');
  });
  it('a Task of another version is not the Task', () => {
    const other = { ...task(), apiVersion: 'aliecs.alice.cern/v1' };
    expect(fails(() => buildManifest({ documents: [other], taskId: 'x' })).message).to.contain('no Task');
  });
  it('documents need apiVersion, kind and metadata.name', () => {
    expect(fails(() => buildManifest({ documents: [task(), { kind: 'ConfigMap', metadata: { name: 'a' } }], file: 'f', taskId: 'x' })).message).to.equal(
      'f: document 2 (ConfigMap): missing apiVersion',
    );
    expect(fails(() => buildManifest({ documents: [{ apiVersion: 'v1', metadata: { name: 'a' } }], file: 'f', taskId: 'x' })).message).to.equal(
      'f: document 1 (no kind): missing kind',
    );
    expect(fails(() => buildManifest({ documents: [task(), { apiVersion: 'v1', kind: 'Service', metadata: {} }], file: 'f', taskId: 'x' })).message).to.equal(
      'f: document 2 (Service): missing metadata.name',
    );
  });
  it('a metadata.name that YAML typed (TASK_NAME=123, true, null) says so and how to fix it', () => {
    const text = 'apiVersion: aliecs.alice.cern/v1alpha1\nkind: Task\nmetadata:\n  name: ${TASK_NAME}\n';
    for (const [value, got] of [
      ['123', 'number 123'],
      ['true', 'boolean true'],
      ['null', 'null'],
      ['0644', 'number 420'],
    ] as const) {
      const { documents } = renderTemplate({ text, file: 't.yaml', env: { TASK_NAME: value } });
      expect(fails(() => buildManifest({ documents: [cm(), ...documents], file: 't.yaml', taskId: 'x' })).message).to.equal(
        `t.yaml: document 2 (Task): metadata.name must be a string, got ${got} (quote the placeholder, e.g. name: "\${TASK_NAME}")`,
      );
    }
  });
  it('two documents naming the same object are rejected', () => {
    expect(fails(() => buildManifest({ documents: [task(), cm('a'), cm('a')], file: 'f', taskId: 'x' })).message).to.equal(
      'f: document 2 ConfigMap/a and document 3 ConfigMap/a name the same object',
    );
  });
});

describe('manifest: labels', () => {
  it('labels every object, keeping existing labels', () => {
    const m = buildManifest({
      documents: [task('readout', { labels: { team: 'flp', [LABEL_TASK_ID]: 'forged' } }), cm()],
      taskId: '2rPbhV3jm1S/readout#1',
    });
    for (const obj of m.objects) {
      expect(obj.metadata.labels?.[LABEL_MANAGED_BY]).to.equal('kubectl-task');
      expect(obj.metadata.labels?.[LABEL_NAME]).to.equal('readout');
      expect(obj.metadata.labels?.[LABEL_TASK_ID]).to.match(/^2rPbhV3jm1S-readout-1-[0-9a-f]{5}$/);
    }
    expect(m.task.metadata.labels?.['team']).to.equal('flp');
  });
  it('uses appName when given and stringifies numeric label values', () => {
    const m = buildManifest({ documents: [task('t', { labels: { version: 2 } })], taskId: 'abc', appName: 'my app' });
    expect(m.task.metadata.labels?.[LABEL_NAME]).to.match(/^my-app-[0-9a-f]{5}$/);
    expect(m.task.metadata.labels?.['version']).to.equal('2');
    expect(m.task.metadata.labels?.[LABEL_TASK_ID]).to.equal('abc');
  });
  it('rejects an empty task id', () => {
    expect(fails(() => buildManifest({ documents: [task()], taskId: '' })).message).to.contain('task id must not be empty');
  });
});

describe('manifest: names', () => {
  it('sanitises invalid names (no hash unless truncated) and remembers the original', () => {
    const a = buildManifest({ documents: [task('Readout_FLP001')], taskId: 'x' });
    expect(a.task.metadata.name).to.equal('readout-flp001');
    expect(a.task.metadata.annotations?.[ANNOTATION_ORIGINAL_NAME]).to.equal('Readout_FLP001');
    expect(a.taskRef.name).to.equal('readout-flp001');
    const long = buildManifest({ documents: [task(`T${'x'.repeat(80)}`)], taskId: 'x' });
    expect(long.task.metadata.name).to.match(/^tx{56}-[0-9a-f]{5}$/);
  });
  it('Services get RFC 1035 names', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: '1svc.a' } };
    const m = buildManifest({ documents: [task(), svc], taskId: 'x' });
    expect(m.companions[0]?.metadata.name).to.equal('x-1svc-a');
  });
  it('TASK_NAME=MyTask with the example template: references to the renamed ConfigMap follow it', () => {
    const text = readFileSync(new URL('../../templates/example.yaml', import.meta.url), 'utf8');
    const { documents } = renderTemplate({ text, file: 'example.yaml', env: { TASK_NAME: 'MyTask' } });
    const m = buildManifest({ documents, file: 'example.yaml', taskId: 'x' });
    expect(m.objects.map((o) => o.metadata.name)).to.deep.equal(['mytask-config', 'mytask']);
    expect(m.task).to.nested.include({
      'spec.properties.config-map': 'mytask-config',
      'spec.pod.containers[0].env[0].valueFrom.configMapKeyRef.name': 'mytask-config',
    });
    expect(m.companions[0]?.metadata.annotations?.[ANNOTATION_ORIGINAL_NAME]).to.equal('MyTask-config');
    expect(m.task.metadata.annotations?.[ANNOTATION_ORIGINAL_NAME]).to.equal('MyTask');
  });
  it("rewrites only exact, unambiguous matches of a renamed companion's original name", () => {
    const t = task('t', { labels: { ref: 'My_Cfg' } });
    t['spec'] = { a: 'My_Cfg', b: ['My_Cfg', 'My_Cfg.yaml'], My_Cfg: 'key stays', c: '1svc' };
    // Service 1svc becomes x-1svc, ConfigMap 1svc keeps its name: "1svc" is ambiguous.
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: '1svc' } };
    const m = buildManifest({ documents: [t, cm('My_Cfg'), svc, cm('1svc')], taskId: 'x' });
    expect(m.companions[1]?.metadata.name).to.equal('x-1svc');
    expect(m.task['spec']).to.deep.equal({ a: 'my-cfg', b: ['my-cfg', 'My_Cfg.yaml'], My_Cfg: 'key stays', c: '1svc' });
    expect(m.task.metadata.labels?.['ref']).to.equal('my-cfg');
  });
});

describe('manifest: namespace', () => {
  it('precedence: explicit > manifest > context > default', () => {
    const withNs = [task('t', { namespace: 'from-manifest' }), cm()];
    expect(buildManifest({ documents: [task()], taskId: 'x' }).namespace).to.equal('default');
    expect(buildManifest({ documents: [task()], taskId: 'x', namespace: { context: 'ctx' } }).namespace).to.equal('ctx');
    const m = buildManifest({ documents: withNs, taskId: 'x', namespace: { context: 'ctx' } });
    expect(m.namespace).to.equal('from-manifest');
    expect(m.objects.map((o) => o.metadata.namespace)).to.deep.equal(['from-manifest', 'from-manifest']);
    expect(buildManifest({ documents: [task(), cm()], taskId: 'x', namespace: { explicit: 'cli', context: 'ctx' } }).namespace).to.equal('cli');
    expect(buildManifest({ documents: withNs.slice(0, 1), taskId: 'x', namespace: { explicit: 'from-manifest' } }).namespace).to.equal('from-manifest');
  });
  it("an object namespace contradicting the explicit one is an error like kubectl's", () => {
    const e = fails(() => buildManifest({ documents: [task('t', { namespace: 'a' })], file: 'm.yaml', taskId: 'x', namespace: { explicit: 'b' } }));
    expect(e.message).to.equal(
      'm.yaml: the namespace from the provided object "a" does not match the namespace "b". ' + "You must pass '--namespace=a' to perform this operation.",
    );
  });
  it('objects in different namespaces are rejected', () => {
    const e = fails(() => buildManifest({ documents: [task('t', { namespace: 'a' }), cm('c', { namespace: 'b' })], file: 'm.yaml', taskId: 'x' }));
    expect(e.message).to.equal('m.yaml: objects are in different namespaces (a, b); all objects of a task must share one');
  });
  it('rejects an invalid namespace name', () => {
    expect(fails(() => buildManifest({ documents: [task()], taskId: 'x', namespace: { explicit: 'Bad_NS' } })).message).to.contain(
      'namespace "Bad_NS" is not a valid DNS-1123 label',
    );
  });
  for (const kind of ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass']) {
    it(`rejects a cluster-scoped ${kind} companion`, () => {
      const doc = { apiVersion: 'v1', kind, metadata: { name: 'c' } };
      const e = fails(() => buildManifest({ documents: [task(), doc], file: 'm.yaml', taskId: 'x' }));
      expect(e.message).to.equal(`m.yaml: document 2 ${kind}/c is cluster-scoped; a task must not create cluster-scoped objects`);
    });
  }
});
