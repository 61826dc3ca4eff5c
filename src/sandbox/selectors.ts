/**
 * Label and field selectors as the apiserver parses them (k8s.io/apimachinery labels.Parse and
 * fields.ParseSelector), with the same error texts, and their matching.
 */
import { SelectorError, validateLabelKey, validateLabelValue } from './selectors-validation.ts';

export { SelectorError } from './selectors-validation.ts';

export {
  convertFieldLabels,
  matchesFields,
  parseFieldSelector,
  selectableFields,
  type FieldOperator,
  type FieldRequirement,
  type FieldSelector,
} from './selectors-fields.ts';

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


type TokenKind = 'id' | 'in' | 'notin' | '(' | ')' | ',' | '=' | '==' | '!=' | '!' | '>' | '<' | 'end' | 'error';
interface Token {
  kind: TokenKind;
  lit: string;
}

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const SYMBOLS: TokenKind[] = ['!=', '==', '!', '(', ')', ',', '=', '>', '<'];

function lex(s: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (SPECIAL.has(c)) {
      const two = s.slice(i, i + 2);
      const kind = SYMBOLS.find((sym) => sym === two) ?? SYMBOLS.find((sym) => sym === c) ?? 'error';
      tokens.push({ kind, lit: kind === 'error' ? c : kind });
      i += kind.length;
      continue;
    }
    let j = i;
    while (j < s.length && !SPECIAL.has(s[j] ?? '') && !/\s/.test(s[j] ?? '')) j++;
    const lit = s.slice(i, j);
    tokens.push({ kind: lit === 'in' ? 'in' : lit === 'notin' ? 'notin' : 'id', lit });
    i = j;
  }
  tokens.push({ kind: 'end', lit: '' });
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token {
    return this.tokens[this.pos] ?? { kind: 'end', lit: '' };
  }

  next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  requirement(): LabelRequirement {
    let t = this.next();
    let negated = false;
    if (t.kind === '!') {
      negated = true;
      t = this.next();
    }
    if (t.kind !== 'id' && t.kind !== 'in' && t.kind !== 'notin') throw new Error(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    validateLabelKey(key);
    if (negated) return { key, operator: '!exists', values: [] };
    const after = this.peek().kind;
    if (after === 'end' || after === ',') return { key, operator: 'exists', values: [] };
    const op = this.operator();
    const values = op === 'in' || op === 'notin' ? this.valueSet() : [this.exactValue()];
    if (op === 'gt' || op === 'lt') {
      if (!/^-?\d+$/.test(values[0] ?? '')) {
        throw new Error(`for 'Gt', 'Lt' operators, the value must be an integer`);
      }
    } else {
      values.forEach((v, i) => validateLabelValue(v, i));
    }
    return { key, operator: op, values };
  }

  operator(): LabelOperator {
    const t = this.next();
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

  exactValue(): string {
    const t = this.peek();
    if (t.kind === 'end' || t.kind === ',') return '';
    this.next();
    if (t.kind === 'id' || t.kind === 'in' || t.kind === 'notin') return t.lit;
    throw new Error(`found '${t.lit}', expected: identifier`);
  }

  valueSet(): string[] {
    const open = this.next();
    if (open.kind !== '(') throw new Error(`found '${open.lit}' expected: '('`);
    const values: string[] = [];
    let expectValue = true;
    for (;;) {
      const t = this.next();
      if (expectValue && (t.kind === 'id' || t.kind === 'in' || t.kind === 'notin')) {
        values.push(t.lit);
        expectValue = false;
      } else if (t.kind === ',') {
        if (expectValue) values.push('');
        expectValue = true;
      } else if (t.kind === ')') {
        if (expectValue) values.push('');
        return values;
      } else {
        throw new Error(`found '${t.lit}', expected: ${expectValue ? "',', ')' or identifier" : "',' or ')'"}`);
      }
    }
  }
}

/** In value position the parser reads `in`/`notin` as plain identifiers. */
function startsRequirement(t: Token): boolean {
  return t.kind === 'id' || t.kind === 'in' || t.kind === 'notin' || t.kind === '!';
}

/** Parses `?labelSelector=`; the empty string selects everything. */
export function parseLabelSelector(s: string): LabelSelector {
  const p = new Parser(lex(s));
  const requirements: LabelRequirement[] = [];
  if (p.peek().kind === 'end') return { requirements };
  const first = p.peek();
  if (!startsRequirement(first)) throw new SelectorError(`found '${first.lit}', expected: !, identifier, or 'end of string'`);
  for (;;) {
    try {
      requirements.push(p.requirement());
    } catch (err) {
      throw new SelectorError(`unable to parse requirement: ${err instanceof Error ? err.message : String(err)}`);
    }
    const t = p.next();
    if (t.kind === 'end') break;
    if (t.kind !== ',') throw new SelectorError(`found '${t.lit}', expected: ',' or 'end of string'`);
    const afterComma = p.peek();
    if (!startsRequirement(afterComma)) throw new SelectorError(`found '${afterComma.lit}', expected: identifier after ','`);
  }
  return { requirements };
}

export function matchesLabels(sel: LabelSelector, labels?: Record<string, string>): boolean {
  const l = labels ?? {};
  return sel.requirements.every((r) => {
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
  });
}
