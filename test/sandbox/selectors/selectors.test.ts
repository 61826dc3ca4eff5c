import { expect } from 'chai';
import {
  SelectorError,
  matchesFields,
  matchesLabels,
  convertFieldLabels,
  parseFieldSelector,
  selectableFields,
  parseLabelSelector,
} from '../../../src/sandbox/selectors/labels.ts';

const labels = { app: 'readout', tier: 'fe', 'app.kubernetes.io/managed-by': 'kubectl-task', n: '5' };

function sel(s: string, l: Record<string, string> | undefined = labels): boolean {
  return matchesLabels(parseLabelSelector(s), l);
}

function labelError(s: string): string {
  try {
    parseLabelSelector(s);
  } catch (err) {
    expect(err).to.be.instanceOf(SelectorError);
    return (err as Error).message;
  }
  throw new Error(`selector ${s} was accepted`);
}

describe('sandbox/selectors', () => {
  describe('label selectors', () => {
    it('selects everything with the empty string', () => {
      expect(parseLabelSelector('').requirements).to.deep.equal([]);
      expect(sel('', undefined)).to.equal(true);
    });

    it('parses every operator', () => {
      expect(parseLabelSelector('a=b, c==d,e!=f,g in (h, i),j notin (k),l,!m').requirements).to.deep.equal([
        { key: 'a', operator: '=', values: ['b'] },
        { key: 'c', operator: '==', values: ['d'] },
        { key: 'e', operator: '!=', values: ['f'] },
        { key: 'g', operator: 'in', values: ['h', 'i'] },
        { key: 'j', operator: 'notin', values: ['k'] },
        { key: 'l', operator: 'exists', values: [] },
        { key: 'm', operator: '!exists', values: [] },
      ]);
    });

    it('matches equality, sets, existence (AND of all)', () => {
      expect(sel('app=readout')).to.equal(true);
      expect(sel('app.kubernetes.io/managed-by=kubectl-task')).to.equal(true);
      expect(sel('app=readout,tier=be')).to.equal(false);
      expect(sel('app!=readout')).to.equal(false);
      expect(sel('missing!=x')).to.equal(true);
      expect(sel('tier in (be,fe)')).to.equal(true);
      expect(sel('tier notin (fe)')).to.equal(false);
      expect(sel('missing notin (fe)')).to.equal(true);
      expect(sel('tier')).to.equal(true);
      expect(sel('!tier')).to.equal(false);
      expect(sel('!missing')).to.equal(true);
      expect(sel('n>4,n<6')).to.equal(true);
      expect(sel('n>5')).to.equal(false);
    });

    it('allows an empty value', () => {
      expect(sel('tier=')).to.equal(false);
      expect(sel('tier=', { tier: '' })).to.equal(true);
    });

    it('rejects bad syntax with the apiserver wording', () => {
      expect(labelError('a in b')).to.equal("unable to parse requirement: found 'b' expected: '('");
      expect(labelError('a in (b')).to.equal("unable to parse requirement: found '', expected: ',' or ')'");
      expect(labelError('a b')).to.equal("unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
      expect(labelError('a=b c')).to.equal("found 'c', expected: ',' or 'end of string'");
      expect(labelError('a=b,')).to.equal("found '', expected: identifier after ','");
      expect(labelError('=b')).to.equal("found '=', expected: !, identifier, or 'end of string'");
      expect(labelError('!a=b')).to.equal("found '=', expected: ',' or 'end of string'");
    });

    it('validates keys and values', () => {
      // The parser checks the key against its nil field path first; NewRequirement then names values by index and key.
      expect(labelError('-a=b')).to.match(/^unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric/);
      expect(labelError('a=b$')).to.match(/^unable to parse requirement: values\[0\]\[a\]: Invalid value: "b\$": a valid label must be/);
      expect(labelError('n>x')).to.equal(
        "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer",
      );
      expect(labelError('n<-1')).to.match(/^unable to parse requirement: values\[0\]\[n\]: Invalid value: "-1": a valid label must be/);
      expect(labelError('a in (x,=)')).to.equal("unable to parse requirement: found '=', expected: ',', or identifier");
      expect(labelError('a in (=)')).to.equal("unable to parse requirement: found '=', expected: ',', ')' or identifier");
      expect(labelError('a in (x y)')).to.equal("unable to parse requirement: found 'y', expected: ',' or ')'");
    });
  });

  describe('field selectors', () => {
    const fields = { 'metadata.name': 't1', 'metadata.namespace': 'rec' };

    it('parses =, ==, != and ANDs them', () => {
      expect(parseFieldSelector('metadata.name=t1,metadata.namespace!=x').requirements).to.deep.equal([
        { field: 'metadata.name', operator: '=', value: 't1' },
        { field: 'metadata.namespace', operator: '!=', value: 'x' },
      ]);
      expect(matchesFields(parseFieldSelector('metadata.name=t1'), fields)).to.equal(true);
      expect(matchesFields(parseFieldSelector('metadata.name==t2'), fields)).to.equal(false);
      expect(matchesFields(parseFieldSelector('metadata.name=t1,metadata.namespace!=rec'), fields)).to.equal(false);
      expect(matchesFields(parseFieldSelector(''), fields)).to.equal(true);
    });

    it('handles escapes and reports terms without an operator', () => {
      expect(parseFieldSelector('a=x\\,y').requirements).to.deep.equal([{ field: 'a', operator: '=', value: 'x,y' }]);
      expect(() => parseFieldSelector('metadata.name')).to.throw(SelectorError, "invalid selector: 'metadata.name'; can't understand 'metadata.name'");
    });
  });

  describe('selectable fields', () => {
    const task = { origin: 'crd' as const, group: 'aliecs.alice.cern', resource: 'tasks', namespaced: true };
    const secret = { origin: 'builtin' as const, group: '', resource: 'secrets', namespaced: true };
    const configMap = { origin: 'builtin' as const, group: '', resource: 'configmaps', namespaced: true };
    const labels = (t: typeof task | typeof secret, s: string) => convertFieldLabels(t, parseFieldSelector(s)).requirements.map((r) => r.field);

    it('reads metadata fields and per-kind extras', () => {
      const sel = parseFieldSelector('metadata.name=t1,metadata.namespace=rec');
      expect(selectableFields(task, { kind: 'Task', metadata: { name: 't1', namespace: 'rec' }, spec: { state: 'x' } }, sel)).to.deep.equal({
        'metadata.name': 't1',
        'metadata.namespace': 'rec',
      });
      expect(selectableFields(secret, { kind: 'Secret', metadata: { name: 's' }, type: 'Opaque' }, parseFieldSelector('type=Opaque'))).to.deep.equal({
        type: 'Opaque',
      });
    });

    it("names unsupported labels with the wording of the type's conversion function", () => {
      expect(labels(task, 'metadata.name=t1')).to.deep.equal(['metadata.name']);
      expect(() => labels(task, 'metadata.name=t1,spec.state=x')).to.throw(SelectorError, 'field label not supported: spec.state');
      expect(() => labels({ ...task, namespaced: false }, 'metadata.namespace=x')).to.throw(SelectorError, 'field label not supported: metadata.namespace');
      expect(labels(secret, 'type=Opaque')).to.deep.equal(['type']);
      expect(() => labels(configMap, 'data.x=y')).to.throw(SelectorError, '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"');
    });
  });
});
