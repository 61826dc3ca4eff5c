import { expect } from 'chai';
import { isValidName, sanitizeLabelValue, sanitizeName, shortHash } from '../../src/manifest/names.ts';

describe('manifest: sanitizeName', () => {
  it('keeps valid names unchanged', () => {
    for (const n of ['readout', 'a', 'readout.flp001', 'x-1', 'a'.repeat(63)]) expect(sanitizeName(n)).to.equal(n);
  });
  it('lower-cases, replaces invalid characters and trims WITHOUT a hash suffix (none was truncated)', () => {
    expect(sanitizeName('MyTask')).to.equal('mytask');
    expect(sanitizeName('My_Task')).to.equal('my-task');
    expect(sanitizeName('--a--')).to.equal('a');
    expect(sanitizeName('a..b')).to.equal('a.b');
    expect(sanitizeName('MyTask-config')).to.equal('mytask-config');
  });
  it('a name that lost every character gets the hash of the original', () => {
    expect(sanitizeName('!!!')).to.equal(`x-${shortHash('!!!')}`);
  });
  it('long names sharing a prefix never collapse', () => {
    expect(sanitizeName(`${'a'.repeat(70)}x`)).not.to.equal(sanitizeName(`${'a'.repeat(70)}y`));
    expect(sanitizeName(`${'A'.repeat(70)}`)).to.equal(`${'a'.repeat(57)}-${shortHash('A'.repeat(70))}`);
  });
  it('truncates to 63 characters with a valid result', () => {
    const long = 'b'.repeat(100);
    const s = sanitizeName(long);
    expect(s).to.have.length(63);
    expect(s).to.equal(`${'b'.repeat(57)}-${shortHash(long)}`);
    expect(isValidName(s)).to.equal(true);
    const dotted = sanitizeName(`${'c'.repeat(56)}.-${'d'.repeat(20)}`);
    expect(isValidName(dotted), dotted).to.equal(true);
  });
  it('label and RFC 1035 styles have no dots; dns1035 starts with a letter', () => {
    expect(sanitizeName('a.b', { style: 'label' })).to.equal('a-b');
    expect(sanitizeName('9svc', { style: 'dns1035' })).to.equal('x-9svc');
    expect(sanitizeName('svc', { style: 'dns1035' })).to.equal('svc');
  });
  it('every output is valid for its style (a small fuzz)', () => {
    const alphabet = 'aZ09._-/ é#';
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let i = 0; i < 300; i += 1) {
      let n = '';
      const len = 1 + (next() % 80);
      for (let j = 0; j < len; j += 1) n += alphabet.charAt(next() % alphabet.length);
      for (const style of ['subdomain', 'label', 'dns1035'] as const) {
        expect(isValidName(sanitizeName(n, { style }), style), `${style} ${JSON.stringify(n)}`).to.equal(true);
      }
      const v = sanitizeLabelValue(n);
      expect(v, JSON.stringify(n)).to.match(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/);
      expect(v.length).to.be.at.most(63);
    }
  });
});

describe('manifest: sanitizeLabelValue', () => {
  it('keeps valid values (case included) and fixes invalid ones', () => {
    expect(sanitizeLabelValue('2rPbhV3jm1S')).to.equal('2rPbhV3jm1S');
    expect(sanitizeLabelValue('')).to.equal('');
    expect(sanitizeLabelValue('a/b')).to.equal(`a-b-${shortHash('a/b')}`);
    expect(sanitizeLabelValue('_x_')).to.equal(`x-${shortHash('_x_')}`);
    expect(sanitizeLabelValue('v'.repeat(64))).to.have.length(63);
  });
});
