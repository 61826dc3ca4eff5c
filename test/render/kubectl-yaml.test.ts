import { expect } from 'chai';
import { parse } from 'yaml';
import type { JsonObject } from '../../src/json.ts';
import { KUBECTL_PARSE_OPTIONS, toKubectlYaml } from '../../src/render/kubectl-yaml.ts';
import { typeWholeValue } from '../../src/render/typed-value.ts';
import { kubectlAvailable, kubectlRead } from './kubectl-read.ts';

/** Plain scalars whose meaning differs between YAML 1.2, YAML 1.1 and go-yaml v2. */
const SCALARS = [
  'yes',
  'Yes',
  'YES',
  'y',
  'Y',
  'n',
  'N',
  'no',
  'on',
  'On',
  'off',
  'OFF',
  'true',
  'False',
  'null',
  '~',
  '0644',
  '0777',
  '08',
  '0o17',
  '0O17',
  '-0o17',
  '0x1F',
  '0X1F',
  '0b101',
  '0B101',
  '-0b101',
  '1_000',
  '1__0',
  '+1',
  '12:30',
  '1:2:3',
  '2001-12-14',
  '2001-12-14T21:59:43.10-05:00',
  '1e3',
  '1.5e3',
  '.5',
  '5.',
  '1.0',
  '=',
  '0x',
  'NaN',
  '99999999999999999999',
  'plain',
  'busybox:1.36',
];

const configMap = (data: JsonObject): JsonObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe' }, data });

describe('render/kubectl-yaml: YAML as kubectl reads it', function () {
  this.timeout(120_000);

  it('reads YAML 1.1 literals: 0644 is 420, yes is true, 1_000 is 1000', () => {
    expect(parse('a: 0644\nb: yes\nc: off\nd: 1_000\ne: 0o17\nf: 0X1F\n', KUBECTL_PARSE_OPTIONS)).to.deep.equal({
      a: 420,
      b: true,
      c: false,
      d: 1000,
      e: 15,
      f: 31,
    });
  });
  it('keeps timestamps and sexagesimals as strings, like go-yaml v2', () => {
    expect(parse('a: 12:30\nb: 2001-12-14\n', KUBECTL_PARSE_OPTIONS)).to.deep.equal({ a: '12:30', b: '2001-12-14' });
  });
  it('quotes every string a YAML 1.1 reader would take for something else', () => {
    const yaml = toKubectlYaml([{ a: 'yes', b: '0644', c: '12:30', d: 'on', e: '1_000', f: 'plain', '<<': 'x', n: 420 }]);
    expect(yaml).to.equal('a: "yes"\nb: "0644"\nc: "12:30"\nd: "on"\ne: "1_000"\nf: plain\n"<<": x\n"n": 420\n');
  });
  it('joins documents with ---', () => {
    expect(toKubectlYaml([{ a: 1 }, { b: 'y' }])).to.equal('a: 1\n---\nb: "y"\n');
  });

  describe('against the real kubectl', () => {
    before(function () {
      if (!kubectlAvailable()) this.skip();
    });
    it('a literal means to us what it means to kubectl (values and keys)', () => {
      const header = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\ndata:\n';
      const values = header + SCALARS.map((s, i) => `  v${i}: ${s}\n`).join('');
      // One document per key: `yes` and `on` are the same key to both readers. (Null keys and
      // Go's float formatting of a huge integer key, `1e+20`, are left out.)
      const keys = SCALARS.filter((s) => !['~', 'null', '99999999999999999999'].includes(s)).map((s) => `${header}  ${s}: k\n`);
      const texts = [values, ...keys];
      const ours = texts.map((d) => parse(d, KUBECTL_PARSE_OPTIONS) as unknown);
      const text = texts.join('---\n');
      expect(ours).to.deep.equal(kubectlRead(text));
    });
    it('every string we serialise comes back from kubectl as the same string', () => {
      const strings = [
        ...SCALARS,
        '<<',
        'a\u2028b',
        'x\u0085y\u2029z',
        'line\nbreak',
        ' lead',
        '# c',
        '- x',
        'a: b',
        '{}',
        '[]',
        '+_1',
        '-_1',
        '0_x1F',
        '0_o7',
        '0_b1',
        '1e_3',
        '_1_',
        '1_0.5',
      ];
      const docs = [
        configMap(Object.fromEntries(strings.map((s, i) => [`v${i}`, s]))),
        configMap(Object.fromEntries(strings.map((s, i) => [s, `k${i}`]))),
        configMap({ list: strings, numbers: [420, -1.5, 0, 1e21], flags: [true, false, null] }),
      ];
      expect(kubectlRead(toKubectlYaml(docs))).to.deep.equal(docs);
    });
    it('a negative zero in a whole placeholder position is 0 to us, as kubectl reads it (found by the template property)', () => {
      const zeros = ['-0', '-0.0', '-.0', '-0e0', '-0x0', '-00', '-0b0', '-0_0', '-0.0e+0', '+0', '0'];
      const typed = zeros.map((z) => typeWholeValue(z));
      for (const t of typed) expect(t.kind === 'typed' && Object.is(t.value, 0), JSON.stringify(t)).to.equal(true);
      const doc = configMap({});
      doc['zeros'] = typed.map((t) => (t.kind === 'typed' ? t.value : null));
      expect(kubectlRead(toKubectlYaml([doc]))).to.deep.equal([doc]);
    });
  });
});
