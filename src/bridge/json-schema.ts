/** The protocol as JSON Schema, for executors written in other languages (scripts/bridge-schema.ts writes it). */
import { z } from 'zod';
import { ServerMessageSchema } from './messages.ts';
import { BRIDGE_PROTOCOL_VERSION, RequestSchema } from './protocol.ts';

/**
 * The JSON Schema of every line either side writes (docs/bridge-protocol.schema.json). `io:
 * 'input'` describes what a reader accepts: strict requests get additionalProperties false, the
 * bridge's own messages allow fields a newer bridge may add.
 */
export function bridgeJsonSchema(): Record<string, unknown> {
  const root = z.union([RequestSchema, ServerMessageSchema]).meta({
    title: 'kubectl-task bridge protocol',
    description:
      `Newline-delimited JSON of \`kubectl-task serve\` (protocol ${BRIDGE_PROTOCOL_VERSION}): ` +
      'a Request per line on stdin; a ServerMessage per line on stdout.',
  });
  return z.toJSONSchema(root, { io: 'input' });
}

/** The schema file's text, as committed (2-space JSON and a final newline). */
export function bridgeJsonSchemaText(): string {
  return `${JSON.stringify(bridgeJsonSchema(), null, 2)}\n`;
}
