/**
 * Strict, structure-safe rendering of `${VAR}` manifest templates (defects 1, 2, 3 and 9 of the
 * original, which ran os.ExpandEnv over the raw text with the process environment).
 *
 * Rules:
 * - Scalars resolve as kubectl (go-yaml v2, YAML 1.1) resolves them (kubectl-yaml.ts): a literal
 *   `mode: 0644` is 420, `enabled: yes` is true; the output quotes every string a YAML 1.1
 *   reader would take for something else.
 * - The template is parsed as YAML FIRST (template-syntax.ts, which refuses what is not a
 *   template and reports syntax errors); placeholders are substituted only inside scalars of the
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
import { isMap, isPair, isScalar, visit, type Document, type LineCounter, type Scalar, type YAMLMap } from 'yaml';
import type { JsonObject, JsonValue } from '../json.ts';
import { RenderError, type MissingVariable } from './errors.ts';
import { resolveVar, scanPlaceholders, type PlaceholderStyle, type Segment } from './placeholders.ts';
import { toKubectlYaml } from './kubectl-yaml.ts';
import { parseTemplate } from './template-syntax.ts';
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

/** A lone UTF-16 surrogate: a JSON string can hold one ("\ud800"), UTF-8 cannot carry it. */
const LONE_SURROGATE = /\p{Cs}/u;

export function renderTemplate(args: RenderArgs): RenderResult {
  const file = args.file ?? '<template>';
  const { docs: list, lineCounter } = parseTemplate(args.text, file);
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
      const message = `${ctx.file}:${line}: the value of ${segment.name} is not valid Unicode (it holds a lone UTF-16 surrogate)`;
      throw new RenderError({ message, file: ctx.file });
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
          message:
            `${ctx.file}:${subject.line}: key ${JSON.stringify(subject.raw)} ` +
            `collides with key ${JSON.stringify(other.raw)} (line ${other.line}) after substitution`,
          file: ctx.file,
        });
      }
      seen.set(k, pair.key);
    }
  }
}

/** Narrows toJS output to JSON, rejecting what kubectl could not receive (Infinity, binary, …). */
function toJson(value: unknown, at: { readonly file: string; readonly index: number }): JsonValue {
  const fail = (what: string): RenderError => new RenderError({ message: `${at.file}: document ${at.index + 1}: ${what} is not valid JSON`, file: at.file });
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
