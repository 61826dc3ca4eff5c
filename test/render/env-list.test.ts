import { expect } from 'chai';
import { EnvParseError, parseEnvFile, parseEnvList } from '../../src/render/env-list.ts';

describe('render: parseEnvList (ECS command.env)', () => {
  it('splits at the first = and strips one pair of surrounding quotes', () => {
    expect(parseEnvList(['A=1', 'B="two words"', "C='x'", 'D=a=b', 'E=', 'F=""x""', 'G="unbalanced'])).to.deep.equal({
      A: '1',
      B: 'two words',
      C: 'x',
      D: 'a=b',
      E: '',
      F: '"x"',
      G: '"unbalanced',
    });
  });
  it('names the item without = and invalid names (no environment to pass a bare NAME through)', () => {
    expect(() => parseEnvList(['A=1', 'NOEQUALS'])).to.throw(EnvParseError, 'env item 2 "NOEQUALS" has no "="');
    expect(() => parseEnvList(['1A=x'])).to.throw(EnvParseError, /invalid variable name "1A"/);
  });
});

describe('render: parseEnvFile (dotenv)', () => {
  it('reads K=V lines, comments, export and quotes', () => {
    const text = ['# comment', '', 'A=1', 'export B=two', 'C="quoted # not comment"', "D='single $x'", 'E=value # comment', 'F="a\\nb \\"q\\""', 'G='].join(
      '\n',
    );
    expect(parseEnvFile(text, '.env')).to.deep.equal({
      A: '1',
      B: 'two',
      C: 'quoted # not comment',
      D: 'single $x',
      E: 'value',
      F: 'a\nb "q"',
      G: '',
    });
  });
  it('errors name file:line', () => {
    expect(() => parseEnvFile('A=1\nbroken line\n', 'x.env')).to.throw(EnvParseError, 'x.env:2: expected NAME=value');
    expect(() => parseEnvFile('A="open\n', 'x.env')).to.throw(EnvParseError, /^x\.env:1: unterminated/);
  });
});
