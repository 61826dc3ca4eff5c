import { expect } from 'chai';
import { renderTemplate } from '../../src/render/template.ts';
import { RenderError } from '../../src/render/errors.ts';
import { scanPlaceholders, type PlaceholderStyle } from '../../src/render/placeholders.ts';

function render(text: string, env: Record<string, string | undefined>, allowMissing = false, placeholders?: PlaceholderStyle) {
  return renderTemplate({ text, file: 't.yaml', env, allowMissing, ...(placeholders === undefined ? {} : { placeholders }) });
}
function catchRender(text: string, env: Record<string, string | undefined>): RenderError {
  try {
    render(text, env);
  } catch (e) {
    expect(e).to.be.instanceOf(RenderError);
    return e as RenderError;
  }
  throw new Error('expected a RenderError');
}

describe('render: placeholder grammar', () => {
  it('supports ${VAR}, defaults and $$, and leaves a bare $VAR as written', () => {
    const r = render('a: "${A}-$B-${C:-dc}-${D:-dd}-$$E-cost $5 $ end$"\n', { A: 'x', B: 'y', D: 'set' });
    expect(r.documents).to.deep.equal([{ a: 'x-$B-dc-set-$E-cost $5 $ end$' }]);
    expect(r.variables).to.deep.equal(['A', 'C', 'D']);
  });
  it("'braced-and-bare' makes $VAR a placeholder too (the original's grammar)", () => {
    const r = render('a: "${A}-$B-${C:-dc}-${D:-dd}-$$E-cost $5 $ end$"\n', { A: 'x', B: 'y', D: 'set' }, false, 'braced-and-bare');
    expect(r.documents).to.deep.equal([{ a: 'x-y-dc-set-$E-cost $5 $ end$' }]);
    expect(r.variables).to.deep.equal(['A', 'B', 'C', 'D']);
  });
  it('uses the default when the variable is unset OR empty (sh :-)', () => {
    expect(render('a: ${X:-d}\n', {}).documents).to.deep.equal([{ a: 'd' }]);
    expect(render('a: ${X:-d}\n', { X: '' }).documents).to.deep.equal([{ a: 'd' }]);
    expect(render('a: "${X:-}"\n', {}).documents).to.deep.equal([{ a: '' }]);
  });
  it('an empty (but set) variable without default is not missing', () => {
    expect(render('a: "<${X}>"\n', { X: '' }).documents).to.deep.equal([{ a: '<>' }]);
  });
  it('$NAME takes the longest name (braced-and-bare)', () => {
    expect(render('a: "$AB_1-x"\n', { AB_1: 'v', AB: 'w' }, false, 'braced-and-bare').documents).to.deep.equal([{ a: 'v-x' }]);
  });
  it('substitution is not recursive', () => {
    expect(render('a: "${A}"\n', { A: '${B}', B: 'no' }).documents).to.deep.equal([{ a: '${B}' }]);
  });
  it('reports malformed placeholders with file and line', () => {
    const e = catchRender('a: 1\nb: ${FOO-bar}\n', {});
    expect(e.message).to.match(/^t\.yaml:2: malformed placeholder "\$\{FOO-bar\}"/);
    expect(catchRender('a: "${}"\n', {}).message).to.contain('malformed');
    expect(catchRender('a: "${A:-${B}}"\n', {}).message).to.contain('malformed');
  });
  it('scanPlaceholders splits text and references', () => {
    const show = (style: PlaceholderStyle): string[] => {
      const r = scanPlaceholders('x$A${B:-c}$$', style);
      if (r.kind !== 'ok') throw new Error('expected ok');
      return r.segments.map((s) => (s.kind === 'var' ? `var:${s.name}:${String(s.fallback)}` : `text:${s.text}`));
    };
    expect(show('braced')).to.deep.equal(['text:x$A', 'var:B:c', 'text:$']);
    expect(show('braced-and-bare')).to.deep.equal(['text:x', 'var:A:undefined', 'var:B:c', 'text:$']);
  });
});

describe('render: strict missing variables', () => {
  const text = [
    '# ${IN_COMMENT} is not rendered', // 1
    'apiVersion: v1', // 2
    'kind: ConfigMap', // 3
    'metadata:', // 4
    '  name: ${NAME}  # ${ALSO_COMMENT}', // 5
    'data:', // 6
    '  a: "${O2_ROLE}"', // 7
    '  b: ${FLP_UID}', // 8
    '  c: |', // 9
    '    one', // 10
    '    two ${FLP_UID}', // 11
    '  d: ${WITH_DEFAULT:-ok}', // 12
  ].join('\n');
  it('reports every missing variable in ONE error with lines', () => {
    const e = catchRender(text, {});
    expect(e.reason).to.equal('RenderError');
    expect(e.message).to.equal(
      't.yaml: missing variables: NAME (line 5), O2_ROLE (line 7), FLP_UID (lines 8, 11); ' +
        'set them with --env NAME=…, give a default with ${NAME:-default}, write $$ for a literal $, or pass --allow-missing',
    );
    expect(e.missing).to.deep.equal([
      { name: 'NAME', file: 't.yaml', line: 5 },
      { name: 'O2_ROLE', file: 't.yaml', line: 7 },
      { name: 'FLP_UID', file: 't.yaml', line: 8 },
      { name: 'FLP_UID', file: 't.yaml', line: 11 },
    ]);
    expect(e.message).not.to.contain('COMMENT');
  });
  it('allowMissing renders missing variables as empty strings (the original behaviour)', () => {
    const r = render(text, {}, true);
    expect(r.documents).to.deep.equal([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '' }, data: { a: '', b: '', c: 'one\ntwo \n', d: 'ok' } }]);
  });
  it('comments are neither rendered nor listed', () => {
    const r = render(text, { NAME: 'n', O2_ROLE: 'r', FLP_UID: '1' });
    expect(r.variables).to.deep.equal(['NAME', 'O2_ROLE', 'FLP_UID', 'WITH_DEFAULT']);
    expect(r.yaml).not.to.contain('COMMENT');
  });
});

describe('render: typing of whole plain placeholders', () => {
  const env = { PORT: '31000', GROUPS: '[1000, 1001]', FLAG: 'true', STR: 'hello', BIG: '123456789012345678901', NUL: 'null' };
  it('takes the YAML type of the value', () => {
    const r = render('port: ${PORT}\ngroups: ${GROUPS}\nflag: ${FLAG}\nstr: ${STR}\nbig: ${BIG}\nnul: ${NUL}\n', env);
    expect(r.documents).to.deep.equal([{ port: 31000, groups: [1000, 1001], flag: true, str: 'hello', big: '123456789012345678901', nul: null }]);
  });
  it('keeps strings for quoted scalars, longer strings, tags and keys', () => {
    const r = render('q: "${PORT}"\ns: \'${PORT}\'\nl: p${PORT}\nt: !!str ${PORT}\n${PORT}: v\n', env);
    expect(r.documents).to.deep.equal([{ q: '31000', s: '31000', l: 'p31000', t: '31000', '31000': 'v' }]);
  });
  it('keeps the raw text when YAML would reinterpret a string', () => {
    const r = render('a: ${A}\nb: ${B}\nc: ${C}\n', { A: '"quoted"', B: 'x # y', C: '[a: b]' });
    expect(r.documents).to.deep.equal([{ a: '"quoted"', b: 'x # y', c: '[a: b]' }]);
  });
  it('reads literals and whole values as kubectl does (YAML 1.1): 0644 is 420, yes is true', () => {
    const r = render('lit: 0644\non: yes\nmode: ${M}\nflag: ${F}\ntime: ${T}\nq: "${Y}"\n', { M: '0644', F: 'yes', T: '12:30', Y: 'on' });
    expect(r.documents).to.deep.equal([{ lit: 420, true: true, mode: 420, flag: true, time: '12:30', q: 'on' }]);
    expect(r.yaml).to.equal('lit: 420\n"true": true\nmode: 420\nflag: true\ntime: "12:30"\nq: "on"\n');
  });
  it('an empty value is an empty string, not null', () => {
    expect(render('a: ${A}\n', { A: '' }).documents).to.deep.equal([{ a: '' }]);
  });
});

describe('render: structure and errors', () => {
  it('substitutes keys as text and rejects keys duplicated by substitution', () => {
    expect(render('${K}: 1\nb: 2\n', { K: 'a' }).documents).to.deep.equal([{ a: 1, b: 2 }]);
    const e = catchRender('${K}: 1\nb: 2\n', { K: 'b' });
    expect(e.message).to.equal(`t.yaml:1: key "\${K}" collides with key "b" (line 2) after substitution`);
  });
  it('ignores empty documents and keeps document order', () => {
    const r = render('# only a comment\n---\na: 1\n---\n---\nb: 2\n', {});
    expect(r.documents).to.deep.equal([{ a: 1 }, { b: 2 }]);
    expect(r.yaml).to.equal('a: 1\n---\nb: 2\n');
  });
  it('follows aliases to substituted anchors', () => {
    const r = render('a: &x "${V}"\nb: *x\n', { V: 'v' });
    expect(r.documents).to.deep.equal([{ a: 'v', b: 'v' }]);
  });
  for (const [file, pattern] of [
    ['unterminated-quote.yaml', /^unterminated-quote\.yaml:\d+: YAML syntax error/],
    ['duplicate-key.yaml', /^duplicate-key\.yaml:5: YAML syntax error: .*unique/i],
    ['bad-indent.yaml', /^bad-indent\.yaml:[67]: YAML syntax error/],
    ['malformed-placeholder.yaml', /^malformed-placeholder\.yaml:6: malformed placeholder/],
    ['unclosed-placeholder.yaml', /^unclosed-placeholder\.yaml:6: malformed placeholder/],
    ['not-a-mapping.yaml', /^not-a-mapping\.yaml: document 1 is not a mapping/],
  ] as const) {
    it(`bad template ${file} → RenderError naming file:line`, async () => {
      const { readFileSync } = await import('node:fs');
      const text = readFileSync(new URL(`../corpus/bad-templates/${file}`, import.meta.url), 'utf8');
      let caught: unknown;
      try {
        renderTemplate({ text, file, env: { FOO: 'x', UNCLOSED: 'y' } });
      } catch (e) {
        caught = e;
      }
      expect(caught).to.be.instanceOf(RenderError);
      expect((caught as RenderError).message).to.match(pattern);
    });
  }
});

describe('render: no global state', () => {
  it('never mutates process.env', () => {
    const before = JSON.stringify(process.env);
    render('a: "${A} ${HOME_X:-h}"\n', { A: 'x', NEW_VAR_FROM_TASK: 'y' });
    render('a: "${A}"\n', { A: 'x' }, true);
    expect(JSON.stringify(process.env)).to.equal(before);
    expect(process.env['NEW_VAR_FROM_TASK']).to.equal(undefined);
  });
  it('two renders with different env do not leak into each other', () => {
    const text = 'a: "${A:-none}"\nb: "${B:-none}"\n';
    const first = render(text, { A: 'task1' });
    const second = render(text, { B: 'task2' });
    expect(first.documents).to.deep.equal([{ a: 'task1', b: 'none' }]);
    expect(second.documents).to.deep.equal([{ a: 'none', b: 'task2' }]);
  });
  it('does not read process.env', () => {
    process.env['KT_RENDER_PROBE'] = 'from-process';
    try {
      const e = catchRender('a: ${KT_RENDER_PROBE}\n', {});
      expect(e.missing.map((m) => m.name)).to.deep.equal(['KT_RENDER_PROBE']);
    } finally {
      delete process.env['KT_RENDER_PROBE'];
    }
  });
});

describe('render/template: flow collections', () => {
  it('explains that a placeholder inside a flow mapping must be quoted', () => {
    expect(() => renderTemplate({ text: 'control: {mode: direct, port: ${PORT}}\n', file: 'f.yaml', env: { PORT: '1' } })).to.throw(
      /^f\.yaml:1: YAML syntax error: .*\(quote placeholders inside \{…\} or \[…\] flow collections, e\.g\. "\$\{VAR\}"\)$/,
    );
  });

  it('renders a quoted placeholder inside a flow mapping as text', () => {
    const r = renderTemplate({ text: 'control: {mode: direct, port: "${PORT}"}\n', file: 'f.yaml', env: { PORT: '1' } });
    expect(r.documents[0]).to.deep.equal({ control: { mode: 'direct', port: '1' } });
  });
});
