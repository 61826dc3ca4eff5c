import { expect } from 'chai';
import { corruptBase64Offset } from '../../../src/sandbox/core/go-base64.ts';

describe("sandbox/core/go-base64: where Go's base64.StdEncoding finds its input corrupt", () => {
  it("gives the offsets of Go's own TestDecodeCorrupt cases (encoding/base64), undefined where it decodes", () => {
    const cases: [string, number | undefined][] = [
      ['', undefined],
      ['\n', undefined],
      ['AAA=\n', undefined],
      ['AAAA\n', undefined],
      ['!!!!', 0],
      ['====', 0],
      ['x===', 1],
      ['=AAA', 0],
      ['A=AA', 1],
      ['AA=A', 2],
      ['AA==A', 4],
      ['AAA=AAAA', 4],
      ['AAAAA', 4],
      ['AAAAAA', 4],
      ['A=', 1],
      ['A==', 1],
      ['AA=', 3],
      ['AA==', undefined],
      ['AAA=', undefined],
      ['AAAA', undefined],
      ['AAAAAA=', 7],
      ['YWJjZA=====', 8],
      ['A!\n', 1],
      ['A=\n', 1],
    ];
    for (const [input, offset] of cases) expect(corruptBase64Offset(input), JSON.stringify(input)).to.equal(offset);
  });

  it('counts UTF-8 bytes, skips CR and LF anywhere, and takes what Node encodes', () => {
    expect(corruptBase64Offset('AAAAé')).to.equal(4);
    expect(corruptBase64Offset('A\r\nA=\n=')).to.equal(undefined);
    expect(corruptBase64Offset('AA\r\nAA\n==')).to.equal(7);
    for (const n of [0, 1, 2, 3, 10, 100]) expect(corruptBase64Offset(Buffer.alloc(n, 7).toString('base64'))).to.equal(undefined);
  });
});
