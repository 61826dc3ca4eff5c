/**
 * secretValuesOf / redactValues (src/render/redact.ts): the values a task must never print, and
 * free text scrubbed of them, for messages that may quote a value back (an API server's
 * `Unsupported value: "…"`).
 */
import { expect } from 'chai';
import type { JsonObject } from '../../src/json.ts';
import { redactValues, secretValuesOf } from '../../src/render/redact.ts';
import { REDACTED } from '../../src/secret-policy.ts';

describe('security: secretValuesOf and redactValues', () => {
  const documents: JsonObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      stringData: { token: 'tok-string-data', empty: '' },
      data: { b64: Buffer.from('tok-from-base64').toString('base64') },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { plain: 'not-a-secret-value' } },
  ];
  const env = { API_TOKEN: 'tok-env-value', DB_PASSWORD: 'pw-12345', TASK_NAME: 'readout', SHORT_KEY: 'ab', UNSET_SECRET: undefined };

  it("collects secret-named variables' values and Secret data (decoded) and stringData, nothing else", () => {
    expect(secretValuesOf({ documents, env }).sort()).to.deep.equal(['pw-12345', 'tok-env-value', 'tok-from-base64', 'tok-string-data']);
    expect(secretValuesOf({ documents: [], env, secretPattern: /^TASK_/g })).to.deep.equal(['readout']);
  });

  it('replaces every occurrence, longest value first, and leaves other text alone', () => {
    const message = 'spec.control.mode: Unsupported value: "tok-env-value": supported values: "direct"; again tok-env-value-long';
    expect(redactValues(message, ['tok-env-value', 'tok-env-value-long'])).to.equal(
      `spec.control.mode: Unsupported value: "${REDACTED}": supported values: "direct"; again ${REDACTED}`,
    );
    expect(redactValues('nothing here', secretValuesOf({ documents, env }))).to.equal('nothing here');
    expect(redactValues('x', [''])).to.equal('x');
  });
});
