/**
 * What the REAL kubectl makes of a YAML stream, without a server: `kubectl annotate --local
 * -o json` decodes every document exactly like `apply/create -f` (sigs.k8s.io/yaml) and prints
 * it back as JSON. (`create --dry-run=client` needs discovery, hence a server.) The no-op
 * `probe-` removal adds an empty annotations map, which is dropped again here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { JsonObject } from '../../src/json.ts';
import { isJsonObject } from '../../src/json.ts';

export const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';

export function kubectlAvailable(): boolean {
  return existsSync(KUBECTL);
}

export function kubectlRead(yaml: string): JsonObject[] {
  const out = execFileSync(KUBECTL, ['annotate', '--local', '-f', '-', '-o', 'json', 'probe-'], {
    input: yaml,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, KUBECONFIG: '/dev/null' },
  });
  // One pretty-printed object per document; only top-level braces sit at column 0.
  const parsed: unknown = JSON.parse(
    `[${out
      .trim()
      .split(/\n}\n{\n/)
      .join('\n},\n{\n')}]`,
  );
  if (!Array.isArray(parsed)) throw new Error('kubectl printed no objects');
  return parsed.map((item: unknown) => {
    if (!isJsonObject(item)) throw new Error('kubectl printed a non-object');
    const metadata = item['metadata'];
    if (isJsonObject(metadata) && isJsonObject(metadata['annotations']) && Object.keys(metadata['annotations']).length === 0) {
      delete metadata['annotations'];
    }
    return item;
  });
}
