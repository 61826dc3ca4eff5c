/**
 * Writes docs/bridge-protocol.schema.json from the protocol's zod schemas, for executors written
 * in other languages. test/bridge/protocol.test.ts fails when the committed file is stale.
 *
 *   npx tsx scripts/bridge-schema.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bridgeJsonSchemaText } from '../src/bridge/json-schema.ts';

const target = fileURLToPath(new URL('../docs/bridge-protocol.schema.json', import.meta.url));
writeFileSync(target, bridgeJsonSchemaText());
process.stderr.write(`wrote ${target}\n`);
