import { expect } from 'chai';
import { JsonValueSplitter } from '../../src/watch/json-stream.ts';
import { Backoff } from '../../src/watch/backoff.ts';

describe('watch/json-stream', () => {
  it('splits compact one-line events (kubectl 1.32)', () => {
    const splitter = new JsonValueSplitter();
    expect(splitter.push('{"type":"ADDED","object":{"a":1}}')).to.deep.equal(['{"type":"ADDED","object":{"a":1}}']);
    expect(splitter.push('{"type":"MODIFIED","object":{}}{"type":"DELETED","object":{}}')).to.have.length(2);
  });

  it('joins pretty-printed events spread over lines (older kubectl)', () => {
    const splitter = new JsonValueSplitter();
    const lines = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'x' } } }, null, 2).split('\n');
    const out = lines.flatMap((line) => splitter.push(line));
    expect(out).to.have.length(1);
    expect(JSON.parse(out[0] as string)).to.deep.equal({ type: 'ADDED', object: { metadata: { name: 'x' } } });
    expect(splitter.pending).to.equal(false);
  });

  it('is not fooled by braces and escaped quotes inside strings', () => {
    const splitter = new JsonValueSplitter();
    const value = { type: 'MODIFIED', object: { data: { 'a}': 'x\\"{{', b: '}]' } } };
    expect(splitter.push(JSON.stringify(value)).map((t) => JSON.parse(t))).to.deep.equal([value]);
  });

  it('ignores stray text between values and reports a cut value as pending', () => {
    const splitter = new JsonValueSplitter();
    expect(splitter.push('W1125 warning text')).to.deep.equal([]);
    expect(splitter.push('{"type":"ADDED",')).to.deep.equal([]);
    expect(splitter.pending).to.equal(true);
  });
});

describe('watch/backoff', () => {
  it('grows exponentially up to the cap and resets', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()]).to.deep.equal([100, 200, 400, 800, 1000]);
    backoff.reset();
    expect(backoff.next()).to.equal(100);
  });

  it('validates its options', () => {
    expect(() => new Backoff({ initialMs: 0, maxMs: 10 })).to.throw(/initialMs must be > 0/);
    expect(() => new Backoff({ initialMs: 100, maxMs: 10 })).to.throw(/maxMs \(10\) must be >= initialMs \(100\)/);
  });
});
