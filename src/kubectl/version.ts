/**
 * kubectl client version check. 1.27 is the oldest kubectl we drive: `--subresource` went GA and
 * `apply`/`get -o json` behave as recorded in the reference exchanges from 1.27 on.
 */
import { commandLabel } from './classify.ts';
import { KubectlError } from './errors.ts';
import type { Kubectl } from './runner.ts';
import { isJsonObject, parseJson } from '../json.ts';

export const MIN_KUBECTL_MINOR = 27;

export interface KubectlVersion {
  readonly major: number;
  readonly minor: number;
  readonly gitVersion: string;
}

/**
 * Parses `kubectl version --client -o json`. Minor may carry a suffix (`32+` on vendor builds).
 * Throws KubectlError 'Unknown' naming what is missing when the text is not that JSON.
 */
export function parseKubectlVersion(json: string): KubectlVersion {
  const fail = (why: string): never => {
    throw new KubectlError({ reason: 'Unknown', message: `kubectl version --client -o json: Unknown: ${why}` });
  };
  const parsed = parseJson(json);
  if (parsed === undefined) return fail(`expected JSON, got ${preview(json)}`);
  const client = isJsonObject(parsed) ? parsed['clientVersion'] : undefined;
  if (!isJsonObject(client)) return fail(`no clientVersion object in ${preview(json)}`);
  const major = versionNumber(client['major']);
  const minor = versionNumber(client['minor']);
  const gitVersion = typeof client['gitVersion'] === 'string' ? client['gitVersion'] : undefined;
  if (major === undefined || minor === undefined || gitVersion === undefined) {
    return fail(`clientVersion lacks a numeric major/minor or a gitVersion in ${preview(json)}`);
  }
  return { major, minor, gitVersion };
}

/** Runs `kubectl version --client -o json`; KubectlError 'KubectlTooOld' below 1.MIN_KUBECTL_MINOR. */
export async function checkKubectlVersion(k: Kubectl): Promise<{ client: string }> {
  const result = await k.run(['version', '--client', '-o', 'json'], { namespace: null, retry: false });
  let version: KubectlVersion;
  try {
    version = parseKubectlVersion(result.stdout);
  } catch (error: unknown) {
    if (error instanceof KubectlError) {
      throw new KubectlError({ reason: error.reason, message: error.message, result });
    }
    throw error;
  }
  if (version.major < 1 || (version.major === 1 && version.minor < MIN_KUBECTL_MINOR)) {
    const binary = result.argv[0] ?? 'kubectl';
    throw new KubectlError({
      reason: 'KubectlTooOld',
      message:
        `${commandLabel(result.argv)}: KubectlTooOld: "${binary}" is ${version.gitVersion}; ` +
        `kubectl-task needs kubectl 1.${MIN_KUBECTL_MINOR} or newer (point --kubectl / KUBECTL at a newer binary)`,
      result,
    });
  }
  return { client: version.gitVersion };
}

function versionNumber(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+)\+?$/.exec(value.trim());
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function preview(text: string): string {
  const trimmed = text.trim();
  return trimmed === '' ? 'empty output' : JSON.stringify(trimmed.length > 80 ? `${trimmed.slice(0, 80)}…` : trimmed);
}
