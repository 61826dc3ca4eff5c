/**
 * Property: for ANY string value in ANY placeholder position of the shipped templates (and of the
 * templates the control workflows launch, with the workflow's own environment), rendering either
 * fails with a clear error or yields exactly the template's structure with that value in place:
 * never a new key, item or document, never a type change outside the substituted scalar. The YAML
 * handed to kubectl, encoded as UTF-8 as it is on kubectl's stdin, reads back as the same
 * documents; a sample, built into manifests as launch builds them, is read by the real kubectl too.
 *
 * How: each template is rendered once with a marker for the variable under test (and neutral
 * values for the others), which locates every position the variable reaches; once with `7`,
 * which tells the whole plain positions (`port: ${PORT}`, typed as YAML reads the value) from
 * the text positions (`"${V}"`, `x-${V}`); and then with the arbitrary value. The expected
 * documents are the marker documents with the marker replaced, path by path.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import type { JsonObject, JsonValue } from '../../src/json.ts';
import { ManifestError, buildManifest } from '../../src/manifest/index.ts';
import { parseControlWorkflow } from '../../src/manifest/workflow.ts';
import { KUBECTL_PARSE_OPTIONS } from '../../src/render/kubectl-yaml.ts';
import { scanPlaceholders } from '../../src/render/placeholders.ts';
import { RenderError, executorEnv, renderTemplate, toKubectlYaml, type RenderResult } from '../../src/render/index.ts';
import { typeWholeValue } from '../../src/render/typed-value.ts';
import { kubectlAvailable, kubectlRead } from '../render/kubectl-read.ts';
import { hostileString } from './arbitraries.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const MARKER = 'QQ7MARKER7QQ';
/** PROPERTY_RUNS=2000 for a longer hunt; the suite keeps it short. */
const NUM_RUNS = Number(process.env['PROPERTY_RUNS'] ?? 150);
const KUBECTL_SAMPLE = 300;
/**
 * PROPERTY_SEED=N replays the runs of a failure fast-check reported; the suite runs seed 1 so that
 * CI is reproducible, and PROPERTY_SEED=random explores. What exploring found is kept as a plain
 * test: `-0` in a whole position (render/kubectl-yaml.test.ts).
 */
const SEED_ENV = process.env['PROPERTY_SEED'] ?? '1';
const SEED = SEED_ENV === 'random' ? {} : { seed: Number(SEED_ENV) };

interface Subject {
  /** For test names and error messages. */
  readonly label: string;
  readonly file: string;
  readonly text: string;
  /** The other variables' values: neutral ones, or a control workflow's environment. */
  readonly base: Record<string, string>;
  /** Variables referenced in the template, and whether some occurrence has a `:-` default. */
  readonly variables: ReadonlyMap<string, boolean>;
}

function variablesOf(text: string): Map<string, boolean> {
  const found = new Map<string, boolean>();
  const visit = (scalar: string): void => {
    const scan = scanPlaceholders(scalar, 'braced');
    if (scan.kind !== 'ok') return;
    for (const s of scan.segments) if (s.kind === 'var') found.set(s.name, (found.get(s.name) ?? false) || s.fallback !== undefined);
  };
  // Placeholders sit in scalars; a line-wise scan finds them all (comments hold none that matter:
  // a name only in a comment is never referenced, and rendering it changes nothing, which holds too).
  for (const line of text.split('\n')) if (!line.trimStart().startsWith('#')) visit(line);
  return found;
}

const TEMPLATES_DIR = join(repoRoot, 'templates');
const WORKFLOWS_DIR = join(repoRoot, 'control-workflows');

const templateSubjects: Subject[] = readdirSync(TEMPLATES_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => {
    const file = join(TEMPLATES_DIR, f);
    const text = readFileSync(file, 'utf8');
    const variables = variablesOf(text);
    const base = Object.fromEntries([...variables.keys()].map((name, i) => [name, `neutral${i}`]));
    return { label: `templates/${f}`, file: `templates/${f}`, text, base, variables };
  });

const workflowSubjects: Subject[] = readdirSync(WORKFLOWS_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => {
    const path = join(WORKFLOWS_DIR, f);
    const workflow = parseControlWorkflow(readFileSync(path, 'utf8'), path);
    const text = readFileSync(workflow.manifestPath, 'utf8');
    const executor = executorEnv({
      ...(workflow.command === undefined ? {} : { command: workflow.command }),
      arguments: workflow.arguments,
      uid: 1000,
      gid: 1000,
      supplementalGroups: [1000, 1001],
    });
    const variables = variablesOf(text);
    // What run-workflow fills the template from: the executor's variables under the workflow's env.
    const base = { ...executor, ...workflow.env };
    for (const name of variables.keys()) if (!(name in base)) base[name] = `neutral-${name.toLowerCase()}`;
    return { label: `control-workflows/${f} → ${basename(workflow.manifestPath)}`, file: basename(workflow.manifestPath), text, base, variables };
  });

function render(subject: Subject, env: Record<string, string>): RenderResult {
  return renderTemplate({ text: subject.text, file: subject.file, env });
}

type Positions = { readonly whole: ReadonlySet<string> };

/** Where the variable is a whole plain scalar: rendered with 7, the marker's leaf there is the number 7. */
function positions(subject: Subject, name: string, marked: RenderResult): Positions {
  const seven = render(subject, { ...subject.base, [name]: '7' });
  const whole = new Set<string>();
  const walk = (a: JsonValue | undefined, b: JsonValue | undefined, path: string): void => {
    if (a === MARKER && b === 7) whole.add(path);
    else if (Array.isArray(a) && Array.isArray(b)) {
      a.forEach((v, i) => {
        walk(v, b[i], `${path}[${i}]`);
      });
    } else if (isObject(a) && isObject(b)) for (const k of Object.keys(a)) walk(a[k], b[k], `${path}.${k}`);
  };
  marked.documents.forEach((d, i) => {
    walk(d, seven.documents[i], `#${i}`);
  });
  return { whole };
}

function isObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The marker documents with the value in place: typed at whole plain positions, text elsewhere. */
function expected(value: JsonValue, s: string, path: string, where: Positions): JsonValue {
  if (typeof value === 'string') {
    if (where.whole.has(path)) {
      const typed = typeWholeValue(s);
      return typed.kind === 'typed' ? typed.value : s;
    }
    return value.split(MARKER).join(s);
  }
  if (Array.isArray(value)) return value.map((v, i) => expected(v, s, `${path}[${i}]`, where));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expected(v, s, `${path}.${k}`, where)]));
  return value;
}

/** A typed value never carries keys: scalars, or flow sequences of scalars. */
function hasNoMapping(value: JsonValue): boolean {
  if (Array.isArray(value)) return value.every(hasNoMapping);
  return !isObject(value);
}

/** What kubectl reads: the YAML as UTF-8 bytes on its stdin, decoded by a YAML 1.1 reader. */
function readBack(yaml: string): unknown[] {
  const text = Buffer.from(yaml, 'utf8').toString('utf8');
  const docs = parseAllDocuments(text, KUBECTL_PARSE_OPTIONS);
  if (!Array.isArray(docs)) throw new Error('expected documents');
  return docs.map((d) => {
    if (d.errors.length > 0) throw new Error(`read-back error: ${d.errors[0]?.message ?? ''}`);
    return d.toJS() as unknown;
  });
}

/** Manifests kept for one real kubectl read at the end (the objects and the YAML kubectl gets). */
const forKubectl: { documents: JsonObject[]; yaml: string }[] = [];

function checkSubject(subject: Subject): void {
  const names = [...subject.variables.keys()];
  if (names.length === 0) {
    it(`${subject.label}: has no placeholder, renders as written`, () => {
      const r = render(subject, {});
      expect(r.documents.length).to.be.greaterThan(0);
    });
    return;
  }
  it(`${subject.label}: any value of any of ${names.join(', ')} keeps the structure (${NUM_RUNS} runs)`, () => {
    const cache = new Map<string, { marked: RenderResult; where: Positions }>();
    const prepared = (name: string) => {
      let entry = cache.get(name);
      if (entry === undefined) {
        const marked = render(subject, { ...subject.base, [name]: MARKER });
        entry = { marked, where: positions(subject, name, marked) };
        // The marker reaches the template: each variable has at least one position.
        expect(JSON.stringify(marked.documents), `${name} appears in ${subject.label}`).to.contain(MARKER);
        cache.set(name, entry);
      }
      return entry;
    };
    fc.assert(
      fc.property(fc.constantFrom(...names), hostileString, (name, raw) => {
        // With a `:-` default, an empty value means the default: that is the grammar, tested elsewhere.
        const s = raw === '' && subject.variables.get(name) === true ? 'x' : raw;
        const { marked, where } = prepared(name);
        let r: RenderResult;
        try {
          r = render(subject, { ...subject.base, [name]: s });
        } catch (error) {
          // A clear error: the renderer's own, one line, naming the file; never the value.
          expect(error).to.be.instanceOf(RenderError);
          const message = (error as RenderError).message;
          expect(message.split('\n')).to.have.length(1);
          expect(message.startsWith(`${subject.file}:`)).to.equal(true);
          if (s.length >= 6) expect(message).not.to.contain(s);
          return;
        }
        const want = marked.documents.map((d, i) => expected(d, s, `#${i}`, where));
        expect(r.documents).to.deep.equal(want);
        for (const path of where.whole) {
          const typed = typeWholeValue(s);
          if (typed.kind === 'typed') expect(hasNoMapping(typed.value), `${path}: ${JSON.stringify(s)}`).to.equal(true);
        }
        expect(readBack(r.yaml)).to.deep.equal(r.documents);
        if (forKubectl.length < KUBECTL_SAMPLE) {
          // What launch hands to kubectl: the manifest built from the documents, when it is one.
          try {
            const manifest = buildManifest({ documents: r.documents, file: subject.file, taskId: 'property' });
            const documents = manifest.objects as unknown as JsonObject[];
            forKubectl.push({ documents, yaml: toKubectlYaml(documents) });
          } catch (error) {
            expect(error).to.be.instanceOf(ManifestError);
          }
        }
      }),
      { numRuns: NUM_RUNS, ...SEED },
    );
  });
}

describe('property: any value in any placeholder of the shipped templates keeps their structure', function () {
  this.timeout(120_000);
  describe('templates/', () => {
    for (const subject of templateSubjects) checkSubject(subject);
  });
  describe('control-workflows/ (their manifest, filled from the workflow)', () => {
    for (const subject of workflowSubjects) checkSubject(subject);
  });
  // Last (mocha runs a suite's own tests before its child suites): the renders above are kept.
  describe('through the real kubectl', () => {
    it(`reads a sample of these renders (up to ${KUBECTL_SAMPLE}) as the same documents`, function () {
      if (!kubectlAvailable()) this.skip();
      expect(forKubectl.length).to.be.greaterThan(0);
      const read = kubectlRead(forKubectl.map((r) => r.yaml).join('---\n'));
      expect(read).to.deep.equal(forKubectl.flatMap((r) => r.documents));
    });
  });
});
