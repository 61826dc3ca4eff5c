/** kubectl-task's own version (package.json's), read once, when first asked for. */
import { readFileSync } from 'node:fs';
import { isJsonObject, parseJson } from './json.ts';

let cached: string | undefined;

/** `unknown` when package.json cannot be read or has no version. */
export function packageVersion(): string {
  if (cached === undefined) {
    let pkg: unknown;
    try {
      pkg = parseJson(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    } catch {
      pkg = undefined;
    }
    const version = isJsonObject(pkg) ? pkg['version'] : undefined;
    cached = typeof version === 'string' ? version : 'unknown';
  }
  return cached;
}
