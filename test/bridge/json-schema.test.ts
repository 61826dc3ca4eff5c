import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { bridgeJsonSchema, bridgeJsonSchemaText } from '../../src/bridge/json-schema.ts';
import { ServerMessageSchema } from '../../src/bridge/messages.ts';
import { RequestSchema } from '../../src/bridge/protocol.ts';

describe('bridge protocol: JSON Schema', () => {
  it("describes every message, requests strict and the bridge's own lines open to new fields", () => {
    const schema = bridgeJsonSchema();
    const defs = schema['$defs'];
    expect(defs).to.be.an('object');
    expect(Object.keys(defs ?? {})).to.include.members([
      'Request',
      'LaunchRequest',
      'TransitionRequest',
      'KillRequest',
      'StatusRequest',
      'ShutdownRequest',
      'ServerMessage',
      'Response',
      'StatusMessage',
      'ReadyMessage',
      'TaskSnapshot',
      'ExecutorState',
    ]);
    const text = JSON.stringify(schema);
    expect(text).to.include('"additionalProperties":false');
    expect(RequestSchema.options).to.have.length(5);
    expect(ServerMessageSchema.options).to.have.length(3);
  });

  it('is committed as docs/bridge-protocol.schema.json, up to date (regenerate: npx tsx scripts/bridge-schema.ts)', () => {
    const committed = readFileSync(new URL('../../docs/bridge-protocol.schema.json', import.meta.url), 'utf8');
    expect(committed === bridgeJsonSchemaText(), 'docs/bridge-protocol.schema.json is stale: run `npx tsx scripts/bridge-schema.ts`').to.equal(true);
  });
});
