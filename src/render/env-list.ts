/**
 * Parsing of task environments: ECS-style `K=V` lists (control workflows' command.env) and
 * dotenv-style files (the CLI's --env-file). Errors name the item or file:line, never a value.
 */

import { ReasonedError, guardOf } from '../errors.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class EnvParseError extends ReasonedError<'EnvParseError'> {
  override readonly name = 'EnvParseError';
  constructor(message: string) {
    super('EnvParseError', message);
  }
}

export const isEnvParseError = guardOf(EnvParseError);

export interface EnvListOptions {
  /**
   * Where a bare `NAME` item (no `=`) takes its value, as `docker run -e NAME` does: the CLI
   * passes the process environment here, and only here. A NAME unset there is left unset (as
   * docker does), so a template that needs it still fails as missing. Without this option a
   * bare NAME is an error: ECS command.env and --arg lists have no environment to pass through.
   */
  readonly passThrough?: Readonly<Record<string, string | undefined>>;
}

/** Like the original: split at the first `=`, strip ONE pair of matching surrounding quotes. */
export function parseEnvList(list: readonly string[], options: EnvListOptions = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const from = options.passThrough;
  list.forEach((item, index) => {
    const eq = item.indexOf('=');
    if (eq === -1 && from !== undefined) {
      const name = item.trim();
      if (!NAME.test(name)) throw new EnvParseError(`env item ${index + 1}: invalid variable name "${preview(name)}"`);
      const value = Object.hasOwn(from, name) ? from[name] : undefined;
      if (value !== undefined) out[name] = value;
      return;
    }
    if (eq === -1) {
      throw new EnvParseError(`env item ${index + 1} "${preview(item)}" has no "=" (expected NAME=value)`);
    }
    const name = item.slice(0, eq).trim();
    if (!NAME.test(name)) {
      throw new EnvParseError(`env item ${index + 1}: invalid variable name "${preview(name)}"`);
    }
    out[name] = stripQuotes(item.slice(eq + 1));
  });
  return out;
}

/** dotenv subset: `K=V`, optional `export `, `#` comment lines, blank lines, quoted values. */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const body = line.startsWith('export ') ? line.slice('export '.length).trimStart() : line;
    const eq = body.indexOf('=');
    const name = eq === -1 ? '' : body.slice(0, eq).trim();
    if (eq === -1 || !NAME.test(name)) {
      throw new EnvParseError(`${file}:${index + 1}: expected NAME=value`);
    }
    out[name] = fileValue(body.slice(eq + 1).trim(), `${file}:${index + 1}`);
  });
  return out;
}

function fileValue(value: string, where: string): string {
  const q = value.charAt(0);
  if (q === '"' || q === "'") {
    const close = closingQuote(value, q);
    if (close === -1 || !/^\s*(#.*)?$/.test(value.slice(close + 1))) {
      throw new EnvParseError(`${where}: unterminated or trailing text after quoted value`);
    }
    const inner = value.slice(1, close);
    if (q === "'") return inner;
    return inner.replace(/\\(.)/g, (match: string, c: string) => (c === 'n' ? '\n' : c === '"' || c === '\\' ? c : match));
  }
  // Unquoted: an inline comment starts at ` #`.
  const hash = value.search(/\s#/);
  return (hash === -1 ? value : value.slice(0, hash)).trim();
}

function closingQuote(value: string, q: string): number {
  for (let i = 1; i < value.length; i += 1) {
    const ch = value.charAt(i);
    if (q === '"' && ch === '\\') i += 1;
    else if (ch === q) return i;
  }
  return -1;
}

function stripQuotes(value: string): string {
  if (value.length >= 2) {
    const first = value.charAt(0);
    if ((first === '"' || first === "'") && value.endsWith(first)) return value.slice(1, -1);
  }
  return value;
}

function preview(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
