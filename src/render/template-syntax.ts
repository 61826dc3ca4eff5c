/**
 * Reading a template before anything is substituted: what is not a template at all (too large,
 * binary) is refused before parsing, and a YAML syntax error is reported at its line with what
 * helps (the line an unclosed quote opens on, quoting placeholders inside flow collections).
 * Duplicate keys are found in linear time.
 */
import { LineCounter, Scalar, isMap, isScalar, parseAllDocuments, visit, type Document } from 'yaml';
import { RenderError } from './errors.ts';
import { KUBECTL_PARSE_OPTIONS } from './kubectl-yaml.ts';

/** The template's documents, parsed as kubectl reads YAML, and the line counter of the text. */
export function parseTemplate(text: string, file: string): { readonly docs: Document.Parsed[]; readonly lineCounter: LineCounter } {
  checkText(text, file);
  const lineCounter = new LineCounter();
  // Duplicate keys are checked below in linear time: the parser's own check (uniqueKeys) compares
  // each key with every earlier one, which takes minutes on a map of a few hundred thousand keys.
  const docs = parseAllDocuments(text, {
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
      const lineText = text.split('\n')[line - 1] ?? '';
      const flow = /\$\{/.test(lineText) && /[{[]/.test(lineText.replace(/\$\{[^}]*\}/g, ''));
      const hint = flow ? ' (quote placeholders inside {…} or […] flow collections, e.g. "${VAR}")' : '';
      throw new RenderError({ message: `${file}:${line}: YAML syntax error: ${what}${hint}`, file });
    }
  }
  return { docs: list, lineCounter };
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
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters YAML and kubectl refuse in a stream: finding them is its purpose
const NOT_PRINTABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\uFFFE\uFFFF]|\p{Cs}/u;

/** Refuses, before parsing, what is not a template at all: too large, or binary. */
function checkText(text: string, file: string): void {
  // UTF-16 units never exceed UTF-8 bytes for the same text, so this bounds the byte count cheaply.
  const bytes = text.length > MAX_TEMPLATE_BYTES / 3 ? Buffer.byteLength(text, 'utf8') : text.length;
  if (bytes > MAX_TEMPLATE_BYTES) {
    throw new RenderError({
      message:
        `${file}: the template is ${mebibytes(bytes)}, over the limit of ${mebibytes(MAX_TEMPLATE_BYTES)} ` +
        '(the API server stores objects of at most 1.5 MiB)',
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
