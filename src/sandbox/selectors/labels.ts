/**
 * Label and field selectors as the apiserver parses them (k8s.io/apimachinery labels.Parse and
 * fields.ParseSelector), with the same error texts, and their matching.
 */
import { goQuote } from '../core/go-format.ts';
import { labelKeyErrors, labelValueErrors, SelectorError } from './validation.ts';

export { SelectorError } from './validation.ts';

export {
  convertFieldLabels,
  matchesFields,
  parseFieldSelector,
  selectableFields,
  type FieldOperator,
  type FieldRequirement,
  type FieldSelector,
} from './fields.ts';

export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!exists' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

/** All requirements must hold (AND); no requirement selects everything. */
export interface LabelSelector {
  requirements: LabelRequirement[];
}

type TokenKind = 'id' | 'in' | 'notin' | '(' | ')' | ',' | '=' | '==' | '!=' | '!' | '>' | '<' | 'end';
interface Token {
  kind: TokenKind;
  lit: string;
}

/** The lexer's bytes: Go's isSpecialSymbol and isWhitespace; a NUL byte ends the input. */
const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const WHITESPACE = new Set([' ', '\t', '\r', '\n']);
const TWO_CHAR: TokenKind[] = ['!=', '=='];

function lex(input: string): Token[] {
  const nul = input.indexOf('\0');
  const s = nul >= 0 ? input.slice(0, nul) : input;
  const tokens: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] ?? '';
    if (WHITESPACE.has(c)) {
      i++;
      continue;
    }
    if (SPECIAL.has(c)) {
      // scanSpecialSymbol: the longest operator; every special byte alone is one.
      const two = TWO_CHAR.find((t) => s.startsWith(t, i));
      const kind = two ?? (c as TokenKind);
      tokens.push({ kind, lit: kind });
      i += kind.length;
      continue;
    }
    let j = i;
    while (j < s.length && !SPECIAL.has(s[j] ?? '') && !WHITESPACE.has(s[j] ?? '')) j++;
    const lit = s.slice(i, j);
    tokens.push({ kind: lit === 'in' ? 'in' : lit === 'notin' ? 'notin' : 'id', lit });
    i = j;
  }
  tokens.push({ kind: 'end', lit: '' });
  return tokens;
}

/** Go's sets.String.List(): unique, sorted byte-wise. */
function sortedSet(values: Set<string>): string[] {
  return [...values].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/**
 * labels.Parser of 1.26, step for step (its error texts depend on which token it looks at):
 * in the Values context `in` and `notin` are identifiers.
 */
class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  lookahead(values: boolean): Token {
    // lex() always ends the tokens with an 'end' token; past it the parser keeps reading that one.
    const t = this.tokens[Math.min(this.pos, this.tokens.length - 1)] ?? { kind: 'end', lit: '' };
    return values && (t.kind === 'in' || t.kind === 'notin') ? { kind: 'id', lit: t.lit } : t;
  }

  consume(values: boolean): Token {
    const t = this.lookahead(values);
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const t = this.lookahead(true);
      if (t.kind === 'end') return requirements;
      if (t.kind !== 'id' && t.kind !== '!') throw new SelectorError(`found '${t.lit}', expected: !, identifier, or 'end of string'`);
      try {
        requirements.push(this.requirement());
      } catch (err) {
        throw new SelectorError(`unable to parse requirement: ${err instanceof Error ? err.message : String(err)}`);
      }
      const after = this.consume(true);
      if (after.kind === 'end') return requirements;
      if (after.kind !== ',') throw new SelectorError(`found '${after.lit}', expected: ',' or 'end of string'`);
      const next = this.lookahead(true);
      if (next.kind !== 'id' && next.kind !== '!') throw new SelectorError(`found '${next.lit}', expected: identifier after ','`);
    }
  }

  /** parseRequirement: key and operator, values, then NewRequirement's checks. */
  requirement(): LabelRequirement {
    let t = this.consume(true);
    let operator: LabelOperator | undefined;
    if (t.kind === '!') {
      operator = '!exists';
      t = this.consume(true);
    }
    if (t.kind !== 'id') throw new Error(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    // parseKeyAndInferOperator validates the key against the parser's (nil) path.
    const keyErrors = labelKeyErrors(key);
    if (keyErrors !== undefined) throw new Error(`<nil>: ${keyErrors}`);
    const next = this.lookahead(true).kind;
    if (operator === undefined && (next === 'end' || next === ',')) operator = 'exists';
    if (operator === 'exists' || operator === '!exists') return { key, operator, values: [] };
    const op = this.operator();
    const values = sortedSet(op === 'in' || op === 'notin' ? this.valueSet() : this.exactValue());
    return newRequirement(key, op, values);
  }

  operator(): LabelOperator {
    const t = this.consume(false);
    switch (t.kind) {
      case '=':
      case '==':
      case '!=':
      case 'in':
      case 'notin':
        return t.kind;
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        throw new Error(`found '${t.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }

  exactValue(): Set<string> {
    const t = this.lookahead(true);
    if (t.kind === 'end' || t.kind === ',') return new Set(['']);
    const v = this.consume(true);
    if (v.kind === 'id') return new Set([v.lit]);
    throw new Error(`found '${v.lit}', expected: identifier`);
  }

  /** parseValues: `(`, then parseIdentifiersList, or `()` for the empty value. */
  valueSet(): Set<string> {
    const open = this.consume(true);
    if (open.kind !== '(') throw new Error(`found '${open.lit}' expected: '('`);
    const t = this.lookahead(true);
    if (t.kind === ')') {
      this.consume(true);
      return new Set(['']);
    }
    if (t.kind !== 'id' && t.kind !== ',') throw new Error(`found '${t.lit}', expected: ',', ')' or identifier`);
    const values = this.identifiersList();
    this.consume(true); // the ')' identifiersList stopped at
    return values;
  }

  identifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const t = this.consume(true);
      if (t.kind === 'id') {
        s.add(t.lit);
        const t2 = this.lookahead(true);
        if (t2.kind === ',') continue;
        if (t2.kind === ')') return s;
        throw new Error(`found '${t2.lit}', expected: ',' or ')'`);
      } else if (t.kind === ',') {
        if (s.size === 0) s.add('');
        const t2 = this.lookahead(true);
        if (t2.kind === ')') {
          s.add('');
          return s;
        }
        if (t2.kind === ',') {
          this.consume(true);
          s.add('');
        }
      } else throw new Error(`found '${t.lit}', expected: ',', or identifier`);
    }
  }
}

/** NewRequirement's checks for a binary operator; its errors aggregated as utilerrors does. */
function newRequirement(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
  const errs: string[] = [];
  const keyErrors = labelKeyErrors(key);
  if (keyErrors !== undefined) errs.push(`key: ${keyErrors}`);
  if (operator === 'gt' || operator === 'lt') {
    values.forEach((v, i) => {
      if (!isInt64(v)) errs.push(`values[${i}]: Invalid value: ${goQuote(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
    });
  }
  values.forEach((v, i) => {
    const e = labelValueErrors(v);
    if (e !== undefined) errs.push(`values[${i}][${key}]: ${e}`);
  });
  const unique = [...new Set(errs)];
  if (unique.length === 1) throw new Error(unique[0]);
  if (unique.length > 1) throw new Error(`[${unique.join(', ')}]`);
  return { key, operator, values };
}

/** strconv.ParseInt(v, 10, 64) succeeds. */
function isInt64(v: string): boolean {
  if (!/^[+-]?\d+$/.test(v)) return false;
  const n = BigInt(v);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** Parses `?labelSelector=`; the empty string selects everything. */
export function parseLabelSelector(s: string): LabelSelector {
  return { requirements: new Parser(lex(s)).parse() };
}

export function matchesLabels(sel: LabelSelector, labels?: Record<string, string>): boolean {
  const l = labels ?? {};
  return sel.requirements.every((r) => matchesRequirement(r, l));
}

function matchesRequirement(r: LabelRequirement, l: Record<string, string>): boolean {
  const has = Object.hasOwn(l, r.key);
  const v = l[r.key] ?? '';
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(v);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(v);
    case 'exists':
      return has;
    case '!exists':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(v)) return false;
      const diff = BigInt(v) - BigInt(r.values[0] ?? '0');
      return r.operator === 'gt' ? diff > 0n : diff < 0n;
    }
  }
}
