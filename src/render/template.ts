/**
 * Strict, structure-safe rendering of `${VAR}` manifest templates (defects 1, 2, 3 and 9 of the
 * original, which ran os.ExpandEnv over the raw text with the process environment).
 *
 * Rules:
 * - Scalars resolve as kubectl (go-yaml v2, YAML 1.1) resolves them (kubectl-yaml.ts): a literal
 *   `mode: 0644` is 420, `enabled: yes` is true; the output quotes every string a YAML 1.1
 *   reader would take for something else.
 * - The template is parsed as YAML FIRST; placeholders are substituted only inside scalars of the
 *   parsed tree, so a value (newline, `: `, `{`, `#`, `---`, quotes, anchors, …) can never add
 *   keys, items or documents. Comments are never rendered nor reported.
 * - Placeholder grammar: see placeholders.ts (`${V}`, `${V:-default}`, `$$`; bare `$V` only with
 *   placeholders 'braced-and-bare', otherwise it is the container shell's and stays text).
 * - A placeholder that is the WHOLE plain (unquoted, untagged) value scalar takes the value's
 *   YAML type when it is a number, boolean, null or flow sequence of those (typed-value.ts);
 *   anything else — and every placeholder inside a longer string, a quoted or block scalar, or a
 *   key — is substituted as text.
 * - Keys may hold placeholders (as text); a key duplicated by substitution is an error.
 * - Strict by default: every unset variable without default is reported in ONE RenderError.
 *   `allowMissing` restores the original's behaviour (unset → empty string).
 * - No process-global state: the environment is an argument, never process.env.
 */
import {
  LineCounter,
  Scalar,
  isMap,
  isPair,
  isScalar,
  parseAllDocuments,
  visit,
  type Document,
  type YAMLMap,
} from 'yaml';
import type { JsonObject, JsonValue } from '../json.ts';
import { RenderError, type MissingVariable } from './errors.ts';
import { resolveVar, scanPlaceholders, type PlaceholderStyle, type Segment } from './placeholders.ts';
import { KUBECTL_PARSE_OPTIONS, toKubectlYaml } from './kubectl-yaml.ts';
import { typeWholeValue } from './typed-value.ts';

export interface RenderArgs {
  readonly text: string;
  /** Used in error messages; defaults to `<template>`. */
  readonly file?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly allowMissing?: boolean;
  /** 'braced' (default): `$NAME` stays text; 'braced-and-bare': `$NAME` is a placeholder too. */
  readonly placeholders?: PlaceholderStyle;
}

export interface RenderResult {
  /** Rendered non-empty documents, in file order. */
  readonly documents: JsonObject[];
  /** toKubectlYaml(documents): `---` between them, YAML 1.1-safe, for `kubectl apply -f -`. */
  readonly yaml: string;
  /** Names referenced by placeholders (with or without default), in order of first use. */
  readonly variables: string[];
}

interface Context {
  readonly file: string;
  readonly text: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly allowMissing: boolean;
  readonly placeholders: PlaceholderStyle;
  readonly lineCounter: LineCounter;
  readonly missing: MissingVariable[];
  readonly variables: string[];
  readonly keyedMaps: Set<YAMLMap>;
}

type VarSegment = Extract<Segment, { kind: 'var' }>;

export function renderTemplate(args: RenderArgs): RenderResult {
  const file = args.file ?? '<template>';
  checkText(args.text, file);
  const lineCounter = new LineCounter();
  // Duplicate keys are checked below in linear time: the parser's own check (uniqueKeys) compares
  // each key with every earlier one, which takes minutes on a map of a few hundred thousand keys.
  const docs = parseAllDocuments(args.text, {
    ...KUBECTL_PARSE_OPTIONS,
    lineCounter,
    prettyErrors: false,
    uniqueKeys: false,
  });
  const list: Document.Parsed[] = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    const duplicate = firstDuplicateKey(doc);
    const parseError = doc.errors[0];
    const err = duplicate !== undefined && (parseError === undefined || duplicate.offset < parseError.pos[0]) ? undefined : parseError;
    if (err === undefined && duplicate !== undefined) {
      throw new RenderError({ message: `${file}:${lineCounter.linePos(duplicate.offset).line}: YAML syntax error: Map keys must be unique`, file });
    }
    if (err !== undefined) {
      // A quote that is never closed is reported where the input ends: name the line it opens on.
      const opened = err.code === 'MISSING_CHAR' ? unclosedQuoteStart(doc, err.pos[0]) : undefined;
      const line = opened !== undefined ? lineCounter.linePos(opened).line : (err.linePos?.[0].line ?? lineCounter.linePos(err.pos[0]).line);
      const what = err.message.split('\n')[0] ?? err.code;
      // `{port: ${X}}` is the usual culprit: inside flow collections `{` starts a mapping.
      const lineText = args.text.split('\n')[line - 1] ?? '';
      const hint = /\$\{/.test(lineText) && /[{[]/.test(lineText.replace(/\$\{[^}]*\}/g, '')) ? ' (quote placeholders inside {…} or […] flow collections, e.g. "${VAR}")' : '';
      throw new RenderError({ message: `${file}:${line}: YAML syntax error: ${what}${hint}`, file });
    }
  }
  const ctx: Context = {
    file,
    text: args.text,
    env: args.env,
    allowMissing: args.allowMissing === true,
    placeholders: args.placeholders ?? 'braced',
    lineCounter,
    missing: [],
    variables: [],
    keyedMaps: new Set(),
  };
  for (const doc of list) substituteDocument(doc, ctx);
  if (ctx.missing.length > 0 && !ctx.allowMissing) throw RenderError.missingVariables(file, ctx.missing);
  checkDuplicateKeys(ctx);

  const documents: JsonObject[] = [];
  list.forEach((doc, index) => {
    if (doc.contents === null) return;
    const js = toJson(doc.toJS({ maxAliasCount: 100 }), { file, index });
    if (js === null) return;
    if (typeof js !== 'object' || Array.isArray(js)) {
      throw new RenderError({ message: `${file}: document ${index + 1} is not a mapping`, file });
    }
    documents.push(js);
  });
  // No log of the rendered manifest here: only the caller knows the configured secret pattern.
  return { documents, yaml: toKubectlYaml(documents), variables: ctx.variables };
}

/**
 * Templates are larger than any manifest has reason to be past this: the API server takes request
 * bodies of at most 3 MiB and etcd stores objects of at most 1.5 MiB (their defaults).
 */
export const MAX_TEMPLATE_BYTES = 8 * 1024 * 1024;

/**
 * Characters YAML does not allow in a stream (outside its printable set; go-yaml, and so kubectl,
 * refuses them too). Tab, LF, CR and NEL are allowed; a BOM is too.
 */
const NOT_PRINTABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\uFFFE\uFFFF]|\p{Cs}/u;

const LONE_SURROGATE = /\p{Cs}/u;

/** Refuses, before parsing, what is not a template at all: too large, or binary. */
function checkText(text: string, file: string): void {
  // UTF-16 units never exceed UTF-8 bytes for the same text, so this bounds the byte count cheaply.
  const bytes = text.length > MAX_TEMPLATE_BYTES / 3 ? Buffer.byteLength(text, 'utf8') : text.length;
  if (bytes > MAX_TEMPLATE_BYTES) {
    throw new RenderError({
      message: `${file}: the template is ${mebibytes(bytes)}, over the limit of ${mebibytes(MAX_TEMPLATE_BYTES)} (the API server stores objects of at most 1.5 MiB)`,
      file,
    });
  }
  const match = NOT_PRINTABLE.exec(text);
  if (match !== null) {
    const before = text.slice(0, match.index);
    const line = before.split('\n').length;
    const column = match.index - before.lastIndexOf('\n');
    const code = (match[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    throw new RenderError({
      message: `${file}:${line}:${column}: control character U+${code} is not allowed in YAML (is this a binary file?)`,
      file,
    });
  }
}

function mebibytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Where the quoted scalar that runs up to `end` (an unclosed quote) starts, if there is one. */
function unclosedQuoteStart(doc: Document.Parsed, end: number): number | undefined {
  let start: number | undefined;
  visit(doc, {
    Scalar(_key, node) {
      const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
      if (quoted && node.range !== undefined && node.range !== null && node.range[1] >= end) start = node.range[0];
    },
  });
  return start;
}

/**
 * The first key that repeats an earlier key of the same mapping, by source offset: what the
 * parser's uniqueKeys check reports (equal scalar values; other keys are compared by identity).
 */
function firstDuplicateKey(doc: Document.Parsed): { readonly offset: number } | undefined {
  let first: number | undefined;
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key: unknown = pair.key;
        const identity = isScalar(key) ? key.value : key;
        // NaN equals nothing, not even itself, in the parser's comparison.
        if (typeof identity === 'number' && Number.isNaN(identity)) continue;
        if (seen.has(identity)) {
          const offset = isScalar(key) || isMap(key) ? (key.range?.[0] ?? 0) : 0;
          if (first === undefined || offset < first) first = offset;
          return undefined;
        }
        seen.add(identity);
      }
      return undefined;
    },
  });
  return first === undefined ? undefined : { offset: first };
}

function substituteDocument(doc: Document.Parsed, ctx: Context): void {
  visit(doc, {
    Scalar(key, node, path) {
      if (typeof node.value !== 'string' || !node.value.includes('$')) return undefined;
      const isKey = key === 'key';
      const segments = scan(node, ctx);
      const vars = segments.filter((s): s is VarSegment => s.kind === 'var');
      if (vars.length === 0) {
        node.value = segments.map((s) => (s.kind === 'text' ? s.text : '')).join('');
        return undefined;
      }
      const lines = placeholderLines(node, vars, ctx);
      const parts = segments.map((s) => {
        if (s.kind === 'text') return s.text;
        return resolve(s, lines.get(s) ?? nodeLine(node, ctx), ctx);
      });
      const text = parts.join('');
      if (isKey) {
        const parent = path[path.length - 2];
        if (isMap(parent)) ctx.keyedMaps.add(parent);
        node.value = text;
        return undefined;
      }
      const whole = segments.length === 1 && node.type === 'PLAIN' && node.tag === undefined;
      if (whole) {
        const typed = typeWholeValue(text);
        if (typed.kind === 'typed') return doc.createNode(typed.value);
      }
      node.value = text;
      // The scalar keeps its string value; its source style is irrelevant since we emit from JS.
      return undefined;
    },
  });
}

function scan(node: Scalar, ctx: Context): readonly Segment[] {
  const result = scanPlaceholders(String(node.value), ctx.placeholders);
  if (result.kind === 'malformed') {
    const forms = ctx.placeholders === 'braced-and-bare' ? '${NAME}, ${NAME:-default}, $NAME' : '${NAME}, ${NAME:-default}';
    throw new RenderError({
      message: `${ctx.file}:${nodeLine(node, ctx)}: malformed placeholder "${result.raw}" (use ${forms}, or $$ for a literal $)`,
      file: ctx.file,
    });
  }
  return result.segments;
}

function resolve(segment: VarSegment, line: number, ctx: Context): string {
  if (!ctx.variables.includes(segment.name)) ctx.variables.push(segment.name);
  const r = resolveVar(segment, ctx.env);
  if (r.kind === 'value') {
    // UTF-8 cannot carry a lone surrogate (a JSON string can: "\ud800"), and kubectl refuses its escape.
    if (LONE_SURROGATE.test(r.value)) {
      throw new RenderError({ message: `${ctx.file}:${line}: the value of ${segment.name} is not valid Unicode (it holds a lone UTF-16 surrogate)`, file: ctx.file });
    }
    return r.value;
  }
  ctx.missing.push({ name: segment.name, file: ctx.file, line });
  return '';
}

function nodeLine(node: Scalar, ctx: Context): number {
  return node.range ? ctx.lineCounter.linePos(node.range[0]).line : 0;
}

/**
 * Maps each placeholder of the parsed value to its source line by finding the same placeholders
 * in the scalar's source text (they are never escaped in YAML). Falls back to the scalar's line.
 */
function placeholderLines(node: Scalar, vars: readonly VarSegment[], ctx: Context): Map<VarSegment, number> {
  const lines = new Map<VarSegment, number>();
  if (!node.range) return lines;
  const start = node.range[0];
  const source = scanPlaceholders(ctx.text.slice(start, node.range[1]), ctx.placeholders);
  if (source.kind !== 'ok') return lines;
  const sourceVars = source.segments.filter((s): s is VarSegment => s.kind === 'var');
  if (sourceVars.length !== vars.length) return lines;
  vars.forEach((v, i) => {
    const s = sourceVars[i];
    if (s !== undefined && s.raw === v.raw) lines.set(v, ctx.lineCounter.linePos(start + s.offset).line);
  });
  return lines;
}

function checkDuplicateKeys(ctx: Context): void {
  const where = (node: Scalar): { line: number; raw: string } => ({
    line: node.range ? ctx.lineCounter.linePos(node.range[0]).line : 0,
    raw: node.range ? ctx.text.slice(node.range[0], node.range[1]).trim() : '?',
  });
  for (const map of ctx.keyedMaps) {
    const seen = new Map<string, Scalar>();
    for (const pair of map.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const k = String(pair.key.value);
      const prior = seen.get(k);
      if (prior !== undefined) {
        // Name the templated key: it is the one that moved. Raw source text never holds values.
        const a = where(pair.key);
        const b = where(prior);
        const [subject, other] = a.raw.includes('$') ? [a, b] : [b, a];
        throw new RenderError({
          message: `${ctx.file}:${subject.line}: key ${JSON.stringify(subject.raw)} collides with key ${JSON.stringify(other.raw)} (line ${other.line}) after substitution`,
          file: ctx.file,
        });
      }
      seen.set(k, pair.key);
    }
  }
}

/** Narrows toJS output to JSON, rejecting what kubectl could not receive (Infinity, binary, …). */
function toJson(value: unknown, at: { readonly file: string; readonly index: number }): JsonValue {
  const fail = (what: string): RenderError =>
    new RenderError({ message: `${at.file}: document ${at.index + 1}: ${what} is not valid JSON`, file: at.file });
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw fail('a non-finite number');
  }
  if (Array.isArray(value)) return value.map((v) => toJson(v, at));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      out[k] = toJson(v, at);
    }
    return out;
  }
  throw fail(`a value of type ${typeof value}`);
}
