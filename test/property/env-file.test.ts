/**
 * Properties of --env-file parsing (parseEnvFile) and of K=V lists (parseEnvList: --env, ECS
 * command.env): what a file or list can say comes back unchanged; anything else is a clear
 * EnvParseError naming the file and line (or the item), never the value, and never a crash.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { EnvParseError, parseEnvFile, parseEnvList } from '../../src/render/env-list.ts';
import { hostileString } from './arbitraries.ts';

const NUM_RUNS = Number(process.env['PROPERTY_RUNS'] ?? 200);
const FILE = 'task.env';

const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/);
/** Records whose names are distinct (a later line would win otherwise). */
const variables = fc.uniqueArray(fc.tuple(name, hostileString), { selector: ([n]) => n, maxLength: 8 });

/** The one quoting that carries any value: double quotes, with \\, \" and \n escaped. */
function doubleQuoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const FILE_ERROR = new RegExp(`^${FILE.replace('.', '\\.')}:(\\d+): (expected NAME=value|unterminated or trailing text after quoted value)$`);

describe('property: --env-file parsing', () => {
  it(`any variables written double-quoted (with export, comments, blank lines, CRLF) read back unchanged (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(variables, fc.boolean(), fc.boolean(), (vars, crlf, decorate) => {
        const lines = vars.flatMap(([n, v], i) => [
          ...(decorate ? ['', `# ${n} comes next: = " ' #`] : []),
          `${decorate && i % 2 === 0 ? 'export ' : ''}${n}=${doubleQuoted(v)}${decorate ? '  # trailing comment' : ''}`,
        ]);
        const text = lines.join(crlf ? '\r\n' : '\n');
        const parsed = parseEnvFile(text, FILE);
        expect(parsed).to.deep.equal(Object.fromEntries(vars));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('values without quotes, newlines, surrounding blanks or " #" read back unchanged, single-quoted ones too', () => {
    const plain = hostileString.filter((v) => !/[\r\n]/.test(v) && v === v.trim() && !/\s#/.test(v) && !/^["']/.test(v));
    const singleQuotable = hostileString.filter((v) => !/['\r\n]/.test(v));
    fc.assert(
      fc.property(name, plain, singleQuotable, (n, p, q) => {
        expect(parseEnvFile(`${n}=${p}`, FILE)).to.deep.equal({ [n]: p });
        expect(parseEnvFile(`${n}='${q}'`, FILE)).to.deep.equal({ [n]: q });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it(`any text parses, or fails with "file:line: …" for a line that exists, never showing a value (${NUM_RUNS} runs)`, () => {
    const lineArb = fc.oneof(
      hostileString,
      fc.tuple(name, hostileString).map(([n, v]) => `${n}=${v}`),
      fc.tuple(name, hostileString).map(([n, v]) => `${n}="${v}`),
      fc.tuple(hostileString, hostileString).map(([n, v]) => `export ${n}=${v}`),
    );
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 10 }), fc.constantFrom('\n', '\r\n'), (lines, eol) => {
        const text = lines.join(eol);
        let result: Record<string, string>;
        try {
          result = parseEnvFile(text, FILE);
        } catch (error) {
          expect(error).to.be.instanceOf(EnvParseError);
          const message = (error as EnvParseError).message;
          const match = FILE_ERROR.exec(message);
          expect(match, message).to.not.equal(null);
          const line = Number(match?.[1]);
          expect(line).to.be.within(1, text.split(/\r?\n/).length);
          return;
        }
        for (const [k, v] of Object.entries(result)) {
          expect(k).to.match(/^[A-Za-z_][A-Za-z0-9_]*$/);
          expect(typeof v).to.equal('string');
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('property: K=V lists (--env, ECS command.env)', () => {
  it('NAME=value gives the value back with one pair of matching quotes stripped', () => {
    fc.assert(
      fc.property(name, hostileString, fc.constantFrom('', '"', "'"), (n, v, q) => {
        const item = `${n}=${q}${v}${q}`;
        const want = q === '' && v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0]) ? v.slice(1, -1) : v;
        expect(parseEnvList([item])).to.deep.equal({ [n]: want });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('any list parses, or fails naming the item by its position, never a value after "="', () => {
    fc.assert(
      fc.property(fc.array(hostileString, { maxLength: 6 }), fc.boolean(), (items, passThrough) => {
        try {
          parseEnvList(items, passThrough ? { passThrough: { HOME: '/root' } } : {});
        } catch (error) {
          expect(error).to.be.instanceOf(EnvParseError);
          const message = (error as EnvParseError).message;
          const m = /^env item (\d+)/.exec(message);
          expect(m, message).to.not.equal(null);
          const item = items[Number(m?.[1]) - 1] ?? '';
          const eq = item.indexOf('=');
          // What follows "=" (the value, perhaps a secret) is never quoted back.
          if (eq !== -1 && item.length - eq > 6) expect(message).not.to.contain(item.slice(eq + 1));
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
