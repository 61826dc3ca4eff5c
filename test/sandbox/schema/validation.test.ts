import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { parse } from 'yaml';
import type { JsonObject } from '../../../src/json.ts';
import { validateAgainstSchema, type JSONSchemaProps } from '../../../src/sandbox/schema/validation.ts';
import { describeWithReference, UPSTREAM_CRD } from '../../helpers/reference.ts';
import { applySchemaDefaults, pruneUnknownFields } from '../../../src/sandbox/schema/prune.ts';
import { strictDecodingMessage } from '../../../src/sandbox/schema/messages.ts';

const PROJECT_CRD = fileURLToPath(new URL('../../../manifests/task-crd.yaml', import.meta.url));

function taskSchema(crdPath: string): JSONSchemaProps {
  const crd = parse(readFileSync(crdPath, 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: JSONSchemaProps } }[] } };
  const version = crd.spec.versions[0];
  if (!version) throw new Error(`${crdPath}: no versions`);
  return version.schema.openAPIV3Schema;
}

function task(spec: JsonObject): JsonObject {
  return {
    apiVersion: 'aliecs.alice.cern/v1alpha1',
    kind: 'Task',
    metadata: { name: 't1', namespace: 'rec', labels: { 'app.kubernetes.io/managed-by': 'kubectl-task' } },
    spec,
  };
}

/**
 * The same checks against the CRD this project installs (always) and the upstream one the
 * recordings were made with (only where the reference is): the apiserver's messages must come out
 * the same from both.
 */
const CRDS = [
  { title: 'schema checks against the project Task CRD (manifests/task-crd.yaml)', path: PROJECT_CRD, suite: describe },
  { title: 'schema checks against the upstream Task CRD (reference task-crd.yaml)', path: UPSTREAM_CRD, suite: describeWithReference },
] as const;

describe('sandbox/schema/validation', () => {
  for (const crd of CRDS) {
    crd.suite(crd.title, () => {
      let schema: JSONSchemaProps;
      before(() => {
        schema = taskSchema(crd.path);
      });

      describe('validateAgainstSchema', () => {
        it('accepts a valid Task', () => {
          expect(validateAgainstSchema(task({ state: 'standby', control: { mode: 'direct', port: 31000 } }), schema)).to.deep.equal([]);
        });

        it('reports a bogus state exactly like recording 12/16', () => {
          expect(validateAgainstSchema(task({ state: 'bogus', control: { mode: 'direct', port: 31000 } }), schema)).to.deep.equal([
            {
              reason: 'FieldValueNotSupported',
              message: 'Unsupported value: "bogus": supported values: "standby", "deployed", "configured", "running"',
              field: 'spec.state',
            },
          ]);
        });

        it('reports missing required bind fields in required-list order (recording 16)', () => {
          const causes = validateAgainstSchema(task({ state: 'standby', bind: [{ name: 'readout', type: 'push' }] }), schema);
          expect(causes).to.deep.equal([
            { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.bind[0].global' },
            { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.bind[0].target' },
          ]);
        });

        it('reports a wrong port type', () => {
          const causes = validateAgainstSchema(task({ state: 'standby', control: { mode: 'direct', port: 'string' } }), schema);
          expect(causes).to.deep.equal([
            {
              reason: 'FieldValueTypeInvalid',
              message: 'Invalid value: "string": spec.control.port in body must be of type integer: "string"',
              field: 'spec.control.port',
            },
          ]);
        });

        it('names map entries with a dot and checks their type', () => {
          const causes = validateAgainstSchema(task({ arguments: { a: 'x', b: 3 } }), schema);
          expect(causes).to.deep.equal([
            {
              reason: 'FieldValueTypeInvalid',
              message: 'Invalid value: "integer": spec.arguments.b in body must be of type string: "integer"',
              field: 'spec.arguments.b',
            },
          ]);
        });
      });

      describe('pruneUnknownFields', () => {
        it('drops unknown fields, keeps apiVersion/kind/metadata and preserves map values', () => {
          const obj = task({ state: 'standby', foo: 1, bind: [{ name: 'a', bar: true }], arguments: { anything: 'x' } });
          obj['extra'] = 'x';
          const { pruned, unknownFields } = pruneUnknownFields(obj, schema);
          expect(unknownFields).to.deep.equal(['extra', 'spec.bind[0].bar', 'spec.foo']);
          expect(pruned).to.deep.equal(task({ state: 'standby', bind: [{ name: 'a' }], arguments: { anything: 'x' } }));
          expect(obj['extra']).to.equal('x');
          expect(strictDecodingMessage(unknownFields.slice(0, 2))).to.equal('strict decoding error: unknown field "extra", unknown field "spec.bind[0].bar"');
        });

        it('reports unknown ObjectMeta fields and respects x-kubernetes-preserve-unknown-fields', () => {
          const s: JSONSchemaProps = {
            type: 'object',
            properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'object', properties: {} } } } },
          };
          const { pruned, unknownFields } = pruneUnknownFields(
            { apiVersion: 'v1', kind: 'X', metadata: { name: 'x', bogus: 1 }, spec: { free: 1, a: { gone: 1 } } },
            s,
          );
          expect(unknownFields).to.deep.equal(['metadata.bogus', 'spec.a.gone']);
          expect(pruned).to.deep.equal({ apiVersion: 'v1', kind: 'X', metadata: { name: 'x' }, spec: { free: 1, a: {} } });
        });
      });

      describe('applySchemaDefaults', () => {
        it('fills the CRD defaults inside list items', () => {
          const out = applySchemaDefaults(task({ bind: [{ name: 'r', type: 'push', global: 'g', target: 't' }] }), schema);
          const spec = out['spec'] as JsonObject;
          const bind = (spec['bind'] as JsonObject[])[0];
          expect(bind).to.include({ addressing: 'tcp', transport: 'default', name: 'r' });
        });

        it('drops disallowed nulls, replaces defaulted nulls, leaves the input alone', () => {
          const s: JSONSchemaProps = {
            type: 'object',
            properties: { a: { type: 'string' }, b: { type: 'string', default: 'B' }, c: { type: 'string', nullable: true } },
          };
          const input: JsonObject = { a: null, b: null, c: null };
          expect(applySchemaDefaults(input, s)).to.deep.equal({ b: 'B', c: null });
          expect(input).to.deep.equal({ a: null, b: null, c: null });
        });
      });
    });
  }

  describe('validateAgainstSchema keywords', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        p: { type: 'string', pattern: '^a$' },
        n: { type: 'integer', minimum: 1, maximum: 10, exclusiveMaximum: true },
        big: { type: 'number', minimum: 1000000 },
        l: { type: 'string', maxLength: 3, minLength: 2 },
        arr: { type: 'array', maxItems: 2, minItems: 1, items: { type: 'integer' } },
        e: { type: 'integer', enum: [1, 2] },
        ns: { type: 'string' },
        nn: { type: 'string', nullable: true },
        ios: { 'x-kubernetes-int-or-string': true },
      },
    };
    const check = (o: JsonObject) => validateAgainstSchema(o, s);

    it('pattern', () => {
      expect(check({ p: 'b' })).to.deep.equal([{ reason: 'FieldValueInvalid', message: `Invalid value: "b": p in body should match '^a$'`, field: 'p' }]);
    });

    it('minimum and exclusive maximum, with Go number formatting', () => {
      expect(check({ n: 0 })[0]?.message).to.equal('Invalid value: 0: n in body should be greater than or equal to 1');
      expect(check({ n: 10 })[0]?.message).to.equal('Invalid value: 10: n in body should be less than 10');
      expect(check({ big: 1.5 })[0]?.message).to.equal('Invalid value: 1.5: big in body should be greater than or equal to 1e+06');
      expect(check({ big: 5 })[0]?.message).to.equal('Invalid value: 5: big in body should be greater than or equal to 1000000');
    });

    it('string length', () => {
      expect(check({ l: 'abcd' })).to.deep.equal([{ reason: 'FieldValueTooLong', message: 'Too long: may not be longer than 3', field: 'l' }]);
      expect(check({ l: 'a' })[0]?.message).to.equal('Invalid value: "a": l in body should be at least 2 chars long');
    });

    it('array size and item paths', () => {
      expect(check({ arr: [1, 2, 3] })).to.deep.equal([{ reason: 'FieldValueTooMany', message: 'Too many: 3: must have at most 2 items', field: 'arr' }]);
      expect(check({ arr: [] })[0]?.message).to.equal('Invalid value: 0: arr in body should have at least 1 items');
      expect(check({ arr: [1, 'x'] })[0]).to.deep.equal({
        reason: 'FieldValueTypeInvalid',
        message: 'Invalid value: "string": arr[1] in body must be of type integer: "string"',
        field: 'arr[1]',
      });
    });

    it('non-string enum values are JSON-quoted', () => {
      expect(check({ e: 3 })[0]?.message).to.equal('Unsupported value: 3: supported values: "1", "2"');
    });

    it('null against non-nullable and nullable fields', () => {
      expect(check({ ns: null })[0]?.message).to.equal('Invalid value: "null": ns in body must be of type string: "null"');
      expect(check({ nn: null })).to.deep.equal([]);
    });

    it('int-or-string accepts both and rejects others', () => {
      expect(check({ ios: 3 })).to.deep.equal([]);
      expect(check({ ios: '3Gi' })).to.deep.equal([]);
      // kube-openapi checks it as the type list [integer, string]; there is no anyOf to report.
      expect(check({ ios: true }).map((c) => c.message)).to.deep.equal(['Invalid value: "boolean": ios in body must be of type integer,string: "boolean"']);
    });
  });
});

describe('sandbox/schema/list-type', () => {
  it('reports duplicate keys in list-type map and duplicate set items', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        m: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', properties: { name: { type: 'string' }, v: { type: 'integer' } } },
        },
        s: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
      },
    };
    expect(validateAgainstSchema({ m: [{ name: 'a', v: 1 }, { name: 'b' }, { name: 'a', v: 2 }], s: ['x', 'y', 'x'] }, s)).to.deep.equal([
      { reason: 'FieldValueDuplicate', message: 'Duplicate value: map[string]interface {}{"name":"a"}', field: 'm[2]' },
      { reason: 'FieldValueDuplicate', message: 'Duplicate value: "x"', field: 's[2]' },
    ]);
  });
});
