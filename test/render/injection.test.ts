import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import type { JsonObject, JsonValue } from '../../src/json.ts';
import { KUBECTL_PARSE_OPTIONS } from '../../src/render/kubectl-yaml.ts';
import { renderTemplate } from '../../src/render/template.ts';
import { typeWholeValue } from '../../src/render/typed-value.ts';
import { kubectlAvailable, kubectlRead } from './kubectl-read.ts';

const corpusDir = new URL('../corpus/', import.meta.url);
const template = readFileSync(new URL('injection-template.yaml', corpusDir), 'utf8');
const values: unknown = JSON.parse(readFileSync(new URL('injection-values.json', corpusDir), 'utf8'));
const MARKER = 'QQMARKERQQ';
/** The corpus template has a bare `$V` too (nested.deeper.value): every position gets the value. */
const GRAMMAR = 'braced-and-bare';
/** Positions where the placeholder is the whole plain scalar (typed substitution applies). */
const WHOLE_PATHS = new Set(['0.data.whole', '0.data.list.0', '0.data.nested.deeper.value', '1.stringData.token']);

function expected(value: JsonValue, replacement: string, path: string): JsonValue {
  if (typeof value === 'string') {
    if (WHOLE_PATHS.has(path) && value === MARKER) {
      const typed = typeWholeValue(replacement);
      return typed.kind === 'typed' ? typed.value : replacement;
    }
    return value.split(MARKER).join(replacement);
  }
  if (Array.isArray(value)) return value.map((v, i) => expected(v, replacement, `${path}.${i}`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = expected(v, replacement, `${path}.${k}`);
    return out;
  }
  return value;
}

describe('render: injection corpus (defect 3)', () => {
  it('the corpus is a list of strings', () => {
    expect(values).to.be.an('array').that.is.not.empty;
  });
  const base = renderTemplate({ text: template, file: 'injection-template.yaml', placeholders: GRAMMAR, env: { V: MARKER } });

  it('the marker rendering has the expected shape', () => {
    expect(base.documents).to.have.length(2);
    expect(Object.keys(base.documents[0]?.['data'] as object)).to.deep.equal([
      'whole',
      'inside',
      'double',
      'single',
      'literal',
      'folded',
      'list',
      'flow',
      'nested',
      'after',
    ]);
    expect(base.documents[0]?.['data']).to.deep.include({ nested: { deeper: { value: MARKER } } });
  });

  for (const value of values as string[]) {
    it(`value ${JSON.stringify(value)} changes only the substituted scalars`, () => {
      const r = renderTemplate({ text: template, file: 'injection-template.yaml', placeholders: GRAMMAR, env: { V: value } });
      const want = base.documents.map((d, i) => expected(d, value, String(i)));
      expect(r.documents).to.deep.equal(want);
      // The YAML handed to kubectl must mean exactly the same documents (read as YAML 1.1).
      const reparsed = parseAllDocuments(r.yaml, KUBECTL_PARSE_OPTIONS);
      if (!Array.isArray(reparsed)) throw new Error('expected documents');
      const docs = reparsed.map((d) => {
        expect(d.errors, 'reparse errors').to.deep.equal([]);
        return d.toJS() as unknown;
      });
      expect(docs).to.deep.equal(want);
    });
  }

  describe('through the real kubectl', function () {
    this.timeout(120_000);
    let read: JsonObject[] = [];
    before(function () {
      if (!kubectlAvailable()) this.skip();
      // One kubectl run for the whole corpus: 2 documents per value, in corpus order.
      const stream = (values as string[])
        .map((v) => renderTemplate({ text: template, file: 'injection-template.yaml', placeholders: GRAMMAR, env: { V: v } }).yaml)
        .join('---\n');
      read = kubectlRead(stream);
    });
    (values as string[]).forEach((value, i) => {
      it(`kubectl reads the rendering of ${JSON.stringify(value)} as our documents`, () => {
        const r = renderTemplate({ text: template, file: 'injection-template.yaml', placeholders: GRAMMAR, env: { V: value } });
        expect(read.slice(2 * i, 2 * i + 2)).to.deep.equal(r.documents);
      });
    });
    it('kubectl read exactly 2 documents per value', () => {
      expect(read).to.have.length(2 * (values as string[]).length);
    });
  });

  it('a value that looks like structure stays a string even in a whole plain position', () => {
    const r = renderTemplate({ text: 'a: ${V}\nb: 1\n', env: { V: 'x: 1\nb: 2' } });
    expect(r.documents).to.deep.equal([{ a: 'x: 1\nb: 2', b: 1 }]);
    const r2 = renderTemplate({ text: 'a: ${V}\n', env: { V: '{b: 2}' } });
    expect(r2.documents).to.deep.equal([{ a: '{b: 2}' }]);
  });
});
