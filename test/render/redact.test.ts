import { expect } from 'chai';
import createDebug from 'debug';
import { parse } from 'yaml';
import { redactForLog } from '../../src/render/redact.ts';
import { REDACTED } from '../../src/secret-policy.ts';
import { renderTemplate } from '../../src/render/template.ts';

const TEMPLATE = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata: {name: "${NAME}"}',
  'data:',
  '  url: "https://user:${DB_PASSWORD}@db"',
  '  token: ${API_TOKEN}',
  '  plain: "${NAME}"',
  '---',
  'apiVersion: v1',
  'kind: Secret',
  'metadata: {name: s}',
  'stringData:',
  '  anything: "${NAME}-literal"',
  'data:',
  '  b64: aGVsbG8=',
  '---',
  'apiVersion: v1',
  'kind: Pod',
  'metadata: {name: p}',
  'spec:',
  '  containers:',
  '    - name: c',
  '      env:',
  '        - {name: MY_SECRET_KEY, value: "written-in-template"}',
  '        - {name: VISIBLE, value: "ok"}',
].join('\n');
const env = { NAME: 'demo', DB_PASSWORD: 's3cr3t-pw', API_TOKEN: 'tok-123' };

describe('render: redactForLog (defect 9)', () => {
  const { documents } = renderTemplate({ text: TEMPLATE, env });
  const text = redactForLog({ documents, env });
  it('hides values from secret-looking variables, Secret data and secret env entries', () => {
    expect(text).not.to.contain('s3cr3t-pw');
    expect(text).not.to.contain('tok-123');
    expect(text).not.to.contain('aGVsbG8=');
    expect(text).not.to.contain('written-in-template');
    const docs = text.split('---\n').map((d) => parse(d) as Record<string, Record<string, unknown>>);
    expect(docs[0]?.['data']).to.deep.equal({ url: REDACTED, token: REDACTED, plain: 'demo' });
    expect(docs[1]?.['stringData']).to.deep.equal({ anything: REDACTED });
    expect(docs[1]?.['data']).to.deep.equal({ b64: REDACTED });
  });
  it('does not modify the documents', () => {
    expect(documents[0]?.['data']).to.deep.include({ token: 'tok-123' });
  });
  it('honours a custom pattern', () => {
    const t = redactForLog({ documents, env: { ...env, NAME: 'demo' }, secretPattern: /^NAME$/g });
    expect(t).not.to.contain('demo');
    expect(t).to.contain('s3cr3t-pw');
  });
  it('rendering logs nothing (the caller logs once, with its configured secret pattern)', () => {
    const lines: string[] = [];
    const previous = createDebug.log;
    const previousNamespaces = createDebug.disable();
    createDebug.enable('kubectl-task:*');
    createDebug.log = (...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    };
    try {
      renderTemplate({ text: TEMPLATE, env });
    } finally {
      createDebug.log = previous;
      createDebug.disable();
      if (previousNamespaces !== '') createDebug.enable(previousNamespaces);
    }
    expect(lines).to.deep.equal([]);
  });
});
