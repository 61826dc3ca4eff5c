import { expect } from 'chai';
import type { JsonObject } from '../../../src/json.ts';
import { builtinCells, builtinColumns, humanDuration, toTable, type PrinterColumn } from '../../../src/sandbox/tables/table.ts';
import { evaluateJsonPath } from '../../../src/sandbox/tables/jsonpath.ts';

const now = new Date('2026-11-25T02:00:00Z');
const TASK_COLUMNS: PrinterColumn[] = [
  { jsonPath: '.spec.state', name: 'Desired', type: 'string' },
  { jsonPath: '.status.state', name: 'Actual', type: 'string' },
  { jsonPath: '.metadata.creationTimestamp', name: 'Age', type: 'date' },
];

function task(name: string, status?: string): JsonObject {
  const o: JsonObject = {
    apiVersion: 'aliecs.alice.cern/v1alpha1',
    kind: 'Task',
    metadata: { name, namespace: 'rec', creationTimestamp: '2026-11-25T01:55:30Z', resourceVersion: '7' },
    spec: { state: 'running' },
  };
  if (status !== undefined) o['status'] = { state: status };
  return o;
}

describe('sandbox/tables/table', () => {
  it('renders a CRD table: Name first, printer columns, server-side age, null for missing', () => {
    const table = toTable({ objects: [task('t1', 'RUNNING'), task('t2')], columns: TASK_COLUMNS, now, includeObject: 'Metadata', resourceVersion: '42' });
    expect(table['kind']).to.equal('Table');
    expect(table['apiVersion']).to.equal('meta.k8s.io/v1');
    expect(table['metadata']).to.deep.equal({ resourceVersion: '42' });
    const defs = table['columnDefinitions'] as JsonObject[];
    expect(defs.map((d) => d['name'])).to.deep.equal(['Name', 'Desired', 'Actual', 'Age']);
    expect(defs[0]).to.include({ type: 'string', format: 'name', priority: 0 });
    expect(defs[1]).to.deep.equal({
      name: 'Desired',
      type: 'string',
      format: '',
      description: 'Custom resource definition column (in JSONPath format): .spec.state',
      priority: 0,
    });
    const rows = table['rows'] as JsonObject[];
    expect(rows.map((r) => r['cells'])).to.deep.equal([
      ['t1', 'running', 'RUNNING', '4m30s'],
      ['t2', 'running', null, '4m30s'],
    ]);
    expect(rows[0]?.['object']).to.deep.equal({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name: 't1', namespace: 'rec', creationTimestamp: '2026-11-25T01:55:30Z', resourceVersion: '7' },
    });
  });

  it('gives a CRD without printer columns the implicit Age column', () => {
    const table = toTable({ objects: [task('t1')], columns: [], now, includeObject: 'None', resourceVersion: '1', continueToken: 'abc' });
    expect((table['columnDefinitions'] as JsonObject[]).map((d) => d['name'])).to.deep.equal(['Name', 'Age']);
    expect(table['rows']).to.deep.equal([{ cells: ['t1', '4m30s'], object: null }]);
    expect(table['metadata']).to.deep.equal({ resourceVersion: '1', continue: 'abc' });
  });

  it("uses the generic convertor for 'default'", () => {
    const table = toTable({ objects: [task('t1')], columns: 'default', now, includeObject: 'Object', resourceVersion: '1' });
    expect((table['columnDefinitions'] as JsonObject[]).map((d) => [d['name'], d['type']])).to.deep.equal([
      ['Name', 'string'],
      ['Created At', 'date'],
    ]);
    expect(table['rows']).to.deep.equal([{ cells: ['t1', '2026-11-25T01:55:30Z'], object: task('t1') }]);
  });

  it('computes built-in printer cells (configmaps, secrets, namespaces, services)', () => {
    const meta = { name: 'x', creationTimestamp: '2026-11-25T01:00:00Z' };
    expect(builtinCells('configmaps', { metadata: meta, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, now)).to.deep.equal(['x', 3, '60m']);
    expect(builtinCells('secrets', { metadata: meta, type: 'Opaque', data: { a: 'MQ==' } }, now)).to.deep.equal(['x', 'Opaque', 1, '60m']);
    expect(builtinCells('namespaces', { metadata: meta, status: { phase: 'Active' } }, now)).to.deep.equal(['x', 'Active', '60m']);
    expect(
      builtinCells(
        'services',
        {
          metadata: meta,
          spec: {
            clusterIPs: ['10.0.0.1'],
            ports: [
              { port: 80, protocol: 'TCP' },
              { port: 53, nodePort: 30053, protocol: 'UDP' },
            ],
            selector: { b: '2', a: '1' },
          },
        },
        now,
      ),
    ).to.deep.equal(['x', 'ClusterIP', '10.0.0.1', '<none>', '80/TCP,53:30053/UDP', '60m', 'a=1,b=2']);
    const cols = builtinColumns('services');
    expect(cols === 'default' ? [] : cols.map((c) => c.name)).to.deep.equal(['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector']);
    expect(builtinColumns('widgets')).to.equal('default');
  });

  it('toTable uses the in-tree printer when given the resource', () => {
    const cm: JsonObject = { metadata: { name: 'readout-config', creationTimestamp: '2026-11-25T01:59:50Z' }, data: { 'readout-cfg.ini': 'x' } };
    const table = toTable({ objects: [cm], columns: builtinColumns('configmaps'), resource: 'configmaps', now, includeObject: 'None', resourceVersion: '3' });
    expect((table['columnDefinitions'] as JsonObject[]).map((d) => d['name'])).to.deep.equal(['Name', 'Data', 'Age']);
    expect(table['rows']).to.deep.equal([{ cells: ['readout-config', 1, '10s'], object: null }]);
  });

  it('renders ages like HumanDuration', () => {
    const s = 1000;
    expect(
      [0, 119 * s, 120 * s, 125 * s, 10 * 60 * s, 3 * 3600 * s + 5 * 60 * s, 9 * 3600 * s, 49 * 3600 * s, 30 * 86400 * s, 800 * 86400 * s].map(humanDuration),
    ).to.deep.equal(['0s', '119s', '2m', '2m5s', '10m', '3h5m', '9h', '2d1h', '30d', '2y70d']);
    expect(humanDuration(-1500)).to.equal('0s');
    expect(humanDuration(-5000)).to.equal('<invalid>');
  });

  it('evaluates the JSONPath subset', () => {
    const o: JsonObject = { a: { b: [{ c: 1 }, { c: 2 }] }, m: { 'x.y': 'z' } };
    expect(evaluateJsonPath(o, '.a.b[1].c')).to.equal(2);
    expect(evaluateJsonPath(o, '{.a.b[-1].c}')).to.equal(2);
    expect(evaluateJsonPath(o, ".m['x.y']")).to.equal('z');
    expect(evaluateJsonPath(o, '.a.b[*].c')).to.equal(1);
    expect(evaluateJsonPath(o, '.nope.x')).to.equal(undefined);
  });

  it('prints RBAC kinds like the in-tree printers: bindings NAME ROLE AGE (+ subjects), roles NAME CREATED AT', () => {
    const binding: JsonObject = {
      metadata: { name: 'task-reader', namespace: 'rec', creationTimestamp: '2026-11-25T01:00:00Z' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'task-reader' },
      subjects: [
        { kind: 'User', name: 'task-executor' },
        { kind: 'User', name: 'bob' },
        { kind: 'Group', name: 'ops' },
        { kind: 'ServiceAccount', name: 'sa', namespace: 'rec' },
      ],
    };
    const columns = builtinColumns('rolebindings');
    expect(columns === 'default' ? [] : columns.map((c) => [c.name, c.priority ?? 0])).to.deep.equal([
      ['Name', 0],
      ['Role', 0],
      ['Age', 0],
      ['Users', 1],
      ['Groups', 1],
      ['ServiceAccounts', 1],
    ]);
    expect(builtinCells('rolebindings', binding, now)).to.deep.equal(['task-reader', 'Role/task-reader', '60m', 'task-executor, bob', 'ops', 'rec/sa']);
    expect(builtinCells('clusterrolebindings', { ...binding, subjects: [] }, now)).to.deep.equal(['task-reader', 'Role/task-reader', '60m', '', '', '']);
    const roleColumns = builtinColumns('roles');
    expect(roleColumns === 'default' ? [] : roleColumns.map((c) => [c.name, c.type])).to.deep.equal([
      ['Name', 'string'],
      ['Created At', 'date'],
    ]);
    expect(builtinCells('clusterroles', { metadata: { name: 'view', creationTimestamp: '2026-11-25T01:00:00Z' } }, now)).to.deep.equal([
      'view',
      '2026-11-25T01:00:00Z',
    ]);
  });
});
