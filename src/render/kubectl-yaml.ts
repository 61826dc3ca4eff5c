/**
 * YAML as kubectl reads it. kubectl decodes manifests with sigs.k8s.io/yaml (go-yaml v2), i.e.
 * YAML 1.1 plain scalars: `yes`/`on`/`y` are booleans, `0644` is octal 420, `1_000` is 1000. A
 * template literal must mean to us what it means to kubectl, and a string we hand to kubectl
 * must come back as the same string, so parsing and serialising both use this one schema.
 *
 * The `yaml` package's YAML 1.1 schema differs from go-yaml v2 in a few places (checked against
 * kubectl 1.32, `kubectl annotate --local -o json`), adjusted here:
 * - go-yaml v2 keeps timestamps (`2001-12-14`) and sexagesimals (`12:30`) as strings when
 *   decoding into JSON: not resolved on parse.
 * - Go's strconv.ParseInt(s, 0, 64) also reads `0o17`, `0O17`, `0X1F`, `0B101`: resolved on parse.
 * On output the timestamp and sexagesimal tests are kept, so such strings are quoted anyway:
 * quoting costs nothing and keeps them strings for any YAML 1.1 reader.
 */
import { Document, Scalar, visit, type ParseOptions, type ScalarTag, type SchemaOptions, type Tags } from 'yaml';
import type { JsonObject } from '../json.ts';

function goInt(test: RegExp, prefixLength: number, radix: number): ScalarTag {
  return {
    identify: (value) => typeof value === 'number' && Number.isInteger(value),
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: `GO${radix}`,
    test,
    resolve(str: string): number {
      const sign = str.startsWith('-') ? -1 : 1;
      const digits = str.replace(/^[-+]/, '').slice(prefixLength).replace(/_/g, '');
      return sign * parseInt(digits, radix);
    },
  };
}

/** Go integer literals the YAML 1.1 schema lacks; placed first so they win over the string fallback. */
const GO_INTS: readonly ScalarTag[] = [
  goInt(/^[-+]?0[oO]_*[0-7][0-7_]*$/, 2, 8),
  goInt(/^[-+]?0X_*[0-9a-fA-F][0-9a-fA-F_]*$/, 2, 16),
  goInt(/^[-+]?0B_*[01][01_]*$/, 2, 2),
];

const MERGE_TAG = 'tag:yaml.org,2002:merge';

const isTimeLike = (tag: Tags[number]): boolean => typeof tag !== 'string' && (tag.tag === 'tag:yaml.org,2002:timestamp' || tag.format === 'TIME');

/** Options for parse/parseDocument/parseAllDocuments: scalars resolve as kubectl resolves them. */
export const KUBECTL_PARSE_OPTIONS: ParseOptions & SchemaOptions & { readonly version: '1.1' } = {
  version: '1.1',
  customTags: (tags: Tags): Tags => [...GO_INTS, ...tags.filter((t) => !isTimeLike(t))],
};

const OUTPUT_SCHEMA: SchemaOptions & { readonly version: '1.1' } = {
  version: '1.1',
  // The merge tag would print a `<<` string as a bare merge key; toYaml quotes it instead.
  customTags: (tags: Tags): Tags => [...GO_INTS, ...tags.filter((t) => typeof t === 'string' || t.tag !== MERGE_TAG)],
};

/**
 * Documents → the YAML text handed to `kubectl apply/create -f -`: `---` between documents,
 * every string that a YAML 1.1 reader would take for something else quoted.
 */
export function toKubectlYaml(documents: readonly JsonObject[]): string {
  return documents.map(toYaml).join('---\n');
}

/**
 * Characters written as `\uXXXX` escapes: line breaks to YAML 1.1 (go-yaml), mere characters to
 * YAML 1.2 and the `yaml` package; and those go-yaml's reader refuses anywhere in a stream
 * ("control characters are not allowed": DEL, the C1 controls, U+FFFE, U+FFFF), which the `yaml`
 * package writes as they are.
 */
const YAML11_BREAK = /[\u007f-\u009f\u2028\u2029\ufffe\uffff]/;
const YAML11_BREAKS = new RegExp(YAML11_BREAK.source, 'g');
const TAB_AT_LINE_START = /(^|\n) *\t/;

/**
 * go-yaml v2 strips `_` before Go's strconv parsing, so strings like `+_1`, `0_x1F` or `1e_3` are
 * numbers to kubectl although no YAML 1.1 tag says so. Anything that looks numeric once the
 * underscores are gone is quoted: quoting costs nothing, a wrong type costs an apply.
 */
const GO_NUMERIC = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;
const looksNumericToGo = (value: string): boolean => value.includes('_') && GO_NUMERIC.test(value.replace(/_/g, ''));

function toYaml(document: JsonObject): string {
  const doc = new Document(document, { ...OUTPUT_SCHEMA, aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_key, node) {
      // A plain `<<` key is a YAML 1.1 merge key to go-yaml, which would fail on a non-map value.
      if (node.value === '<<') node.type = Scalar.QUOTE_DOUBLE;
      if (typeof node.value === 'string' && looksNumericToGo(node.value)) node.type = Scalar.QUOTE_DOUBLE;
      // Such characters are escaped below, which only a double-quoted scalar allows.
      if (typeof node.value === 'string' && YAML11_BREAK.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
      // A block scalar whose line starts with a tab is a tab "where an indentation space is expected" to go-yaml.
      if (typeof node.value === 'string' && node.value.includes('\n') && TAB_AT_LINE_START.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
      // A block scalar of blank lines only loses their spaces on the way back ("  \n" reads as "\n").
      if (typeof node.value === 'string' && node.value.includes('\n') && /^[ \t\n]*$/.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  // They occur only inside the double-quoted scalars forced above (no comments are emitted).
  return doc.toString({ lineWidth: 0 }).replace(YAML11_BREAKS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
