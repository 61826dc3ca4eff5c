import { expect } from 'chai';
import { LineSplitter } from '../../src/bridge/lines.ts';

describe('bridge protocol: line splitting', () => {
  function split(maxLineBytes: number, chunks: (string | Buffer)[], end = true): { lines: string[]; tooLong: number[] } {
    const lines: string[] = [];
    const tooLong: number[] = [];
    const splitter = new LineSplitter({ maxLineBytes, onLine: (line) => lines.push(line), onTooLong: (bytes) => tooLong.push(bytes) });
    for (const chunk of chunks) splitter.push(chunk);
    if (end) splitter.end();
    return { lines, tooLong };
  }

  it('splits on newlines across chunks, drops a CR before the newline, and keeps a last line without newline', () => {
    expect(split(100, ['a\nb', 'c\r\n', '\nd'])).to.deep.equal({ lines: ['a', 'bc', '', 'd'], tooLong: [] });
  });

  it('joins a multi-byte character split between chunks', () => {
    const bytes = Buffer.from('"é→x"\n', 'utf8');
    expect(split(100, [bytes.subarray(0, 2), bytes.subarray(2, 4), bytes.subarray(4)]).lines).to.deep.equal(['"é→x"']);
  });

  it('reports a 10 MiB line once as soon as it passes the bound, skips it, and reads the next line', () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const chunks: Buffer[] = [];
    for (let i = 0; i < 160; i++) chunks.push(chunk);
    chunks.push(Buffer.from('\n{"type":"status"}\n'));
    const { lines, tooLong } = split(1024 * 1024, chunks);
    expect(tooLong).to.have.length(1);
    expect(tooLong[0]).to.be.at.most(1024 * 1024 + chunk.length);
    expect(lines).to.deep.equal(['{"type":"status"}']);
  });

  it('counts bytes, not characters, and allows a line of exactly the bound', () => {
    expect(split(4, ['abcd\n', 'éé\n', 'ééx\n'])).to.deep.equal({ lines: ['abcd', 'éé'], tooLong: [5] });
    expect(split(4, ['abcd\r\n'])).to.deep.equal({ lines: ['abcd'], tooLong: [] });
  });
});
