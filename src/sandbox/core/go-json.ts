/**
 * The error texts of Go's encoding/json (go1.19, what kube-apiserver 1.26.1 was built with) for
 * input the apiserver quotes in its messages: the scanner's syntax errors ("invalid character 'x'
 * looking for beginning of value", "unexpected end of JSON input") and UnmarshalTypeError
 * ("json: cannot unmarshal array into Go value of type T").
 */
import type { JsonValue } from '../../json.ts';
import { isJsonObject } from '../../json.ts';
import { goNumber } from './go-format.ts';

/** The struct the serializer's SimpleMetaFactory.Interpret decodes apiVersion and kind into, as reflect names it. */
export const FIND_KIND = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

/** quoteChar: the offending byte as Go prints it in a SyntaxError. */
function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return `'"'`;
  // strconv.Quote(string(byte)): the byte is a rune in U+0000–U+00FF.
  const ch = String.fromCharCode(c);
  if (c === 0x5c) return "'\\\\'";
  const escapes: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };
  if (escapes[c] !== undefined) return `'${escapes[c]}'`;
  const printable = (c >= 0x20 && c < 0x7f) || c >= 0xa1;
  if (printable && c !== 0xad) return `'${ch}'`;
  return c < 0x80 ? `'\\x${c.toString(16).padStart(2, '0')}'` : `'\\u${c.toString(16).padStart(4, '0')}'`;
}

type Container = 'objectKey' | 'objectValue' | 'array';

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

/**
 * checkValid's verdict on `input` (bytes as UTF-8): undefined when it is valid JSON, else the
 * SyntaxError message.
 */
export function goJsonSyntaxError(input: string | Buffer): string | undefined {
  const data = typeof input === 'string' ? Buffer.from(input) : input;
  const stack: Container[] = [];
  type State = (c: number) => State | string;
  let endTop = false;
  const fail = (c: number, context: string): string => `invalid character ${quoteChar(c)} ${context}`;

  const endValue: State = (c) => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      endTop = true;
      return endTopState(c);
    }
    if (isSpace(c)) return endValue;
    if (top === 'objectKey') {
      if (c === 0x3a) {
        stack[stack.length - 1] = 'objectValue';
        return beginValue;
      }
      return fail(c, 'after object key');
    }
    if (top === 'objectValue') {
      if (c === 0x2c) {
        stack[stack.length - 1] = 'objectKey';
        return beginString;
      }
      if (c === 0x7d) {
        stack.pop();
        return endValue;
      }
      return fail(c, 'after object key:value pair');
    }
    if (c === 0x2c) return beginValue;
    if (c === 0x5d) {
      stack.pop();
      return endValue;
    }
    return fail(c, 'after array element');
  };
  const endTopState: State = (c) => (isSpace(c) ? endTopState : fail(c, 'after top-level value'));
  const literal =
    (word: string, at: number, next: State): State =>
    (c) => {
      if (c === word.charCodeAt(at)) return at + 1 === word.length ? next : literal(word, at + 1, next);
      return fail(c, `in literal ${word} (expecting '${word[at]}')`);
    };
  const inString: State = (c) => {
    if (c === 0x22) return endValue;
    if (c === 0x5c) return inStringEsc;
    if (c < 0x20) return fail(c, 'in string literal');
    return inString;
  };
  const inStringEsc: State = (c) => {
    if ([0x62, 0x66, 0x6e, 0x72, 0x74, 0x5c, 0x2f, 0x22].includes(c)) return inString;
    if (c === 0x75) return hexEscape(0);
    return fail(c, 'in string escape code');
  };
  const hexEscape =
    (n: number): State =>
    (c) => {
      if (!isHex(c)) return fail(c, 'in \\u hexadecimal character escape');
      return n === 3 ? inString : hexEscape(n + 1);
    };
  const e0: State = (c) => (isDigit(c) ? e0 : endValue(c));
  const eSign: State = (c) => (isDigit(c) ? e0 : fail(c, 'in exponent of numeric literal'));
  const e: State = (c) => (c === 0x2b || c === 0x2d ? eSign : eSign(c));
  const dot0: State = (c) => (isDigit(c) ? dot0 : c === 0x65 || c === 0x45 ? e : endValue(c));
  const dot: State = (c) => (isDigit(c) ? dot0 : fail(c, 'after decimal point in numeric literal'));
  const zero: State = (c) => (c === 0x2e ? dot : c === 0x65 || c === 0x45 ? e : endValue(c));
  const one: State = (c) => (isDigit(c) ? one : zero(c));
  const neg: State = (c) => (c === 0x30 ? zero : c >= 0x31 && c <= 0x39 ? one : fail(c, 'in numeric literal'));
  const beginValue: State = (c) => {
    if (isSpace(c)) return beginValue;
    switch (c) {
      case 0x7b:
        stack.push('objectKey');
        return beginStringOrEmpty;
      case 0x5b:
        stack.push('array');
        return beginValueOrEmpty;
      case 0x22:
        return inString;
      case 0x2d:
        return neg;
      case 0x30:
        return zero;
      case 0x74:
        return literal('true', 1, endValue);
      case 0x66:
        return literal('false', 1, endValue);
      case 0x6e:
        return literal('null', 1, endValue);
    }
    if (c >= 0x31 && c <= 0x39) return one;
    return fail(c, 'looking for beginning of value');
  };
  const beginValueOrEmpty: State = (c) => {
    if (isSpace(c)) return beginValueOrEmpty;
    if (c === 0x5d) {
      stack.pop();
      return endValue;
    }
    return beginValue(c);
  };
  const beginString: State = (c) => {
    if (isSpace(c)) return beginString;
    return c === 0x22 ? inString : fail(c, 'looking for beginning of object key string');
  };
  const beginStringOrEmpty: State = (c) => {
    if (isSpace(c)) return beginStringOrEmpty;
    if (c === 0x7d) {
      stack.pop();
      return endValue;
    }
    return beginString(c);
  };

  let state: State = beginValue;
  for (const c of data) {
    const next = state(c);
    if (typeof next === 'string') return next;
    state = next;
  }
  // eof(): a space ends a number at the top level; anything else still open is truncated input.
  if (endTop) return undefined;
  const last = state(0x20);
  return typeof last !== 'string' && endTop ? undefined : 'unexpected end of JSON input';
}

/** UnmarshalTypeError's name for a JSON value of the wrong type. */
export function goJsonKind(v: JsonValue): string {
  if (Array.isArray(v)) return 'array';
  if (isJsonObject(v)) return 'object';
  if (typeof v === 'boolean') return 'bool';
  if (v === null) return 'null';
  return typeof v === 'number' ? 'number' : 'string';
}

/** `json: cannot unmarshal <kind> into Go value of type <goType>`. */
export function goUnmarshalTypeError(v: JsonValue, goType: string): string {
  return `json: cannot unmarshal ${goJsonKind(v)} into Go value of type ${goType}`;
}

/** Go's %v of a value decoded from JSON (map keys sorted, as fmt prints maps). */
export function goFormatValue(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goFormatValue).join(' ')}]`;
  const keys = Object.keys(v).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `map[${keys.map((k) => `${k}:${goFormatValue(v[k])}`).join(' ')}]`;
}

/** reflect.TypeOf(x).String() of a value decoded from JSON (integers stay int64, as kjson decodes them). */
export function goTypeName(v: JsonValue): string {
  if (Array.isArray(v)) return '[]interface {}';
  if (isJsonObject(v)) return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  return v === null ? '<nil>' : 'string';
}
