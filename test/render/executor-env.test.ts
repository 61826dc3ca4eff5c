import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { ExecutorEnvError, executorEnv, identityFromEnv, makeUserLookup, shellQuote } from '../../src/render/executor-env.ts';

const PASSWD = ['root:x:0:0:root:/root:/bin/bash', 'flp:x:1000:1000:FLP:/home/flp:/bin/bash', 'alice:x:1001:1001::/home/alice:/bin/sh', ''].join('\n');
const GROUP = ['root:x:0:', 'flp:x:1000:', 'pda:x:1001:flp,alice', 'video:x:44:bob, flp', 'other:x:50:bob', ''].join('\n');
const files: Record<string, string> = { '/fake/passwd': PASSWD, '/fake/group': GROUP };
const lookupUser = makeUserLookup({
  passwdPath: '/fake/passwd',
  groupPath: '/fake/group',
  readFile: (p) => {
    const text = files[p];
    if (text === undefined) throw new Error(`ENOENT ${p}`);
    return text;
  },
});

describe('render: executor environment', () => {
  it('looks up the flp user and its groups in passwd/group', () => {
    const env = executorEnv({ command: 'o2-readout-exe', arguments: ['file:/etc/x.cfg', '--id', 'a b'], lookupUser });
    expect(env).to.deep.equal({
      KUBE_COMMAND: 'o2-readout-exe',
      KUBE_ARGUMENTS: "file:/etc/x.cfg --id 'a b'",
      FLP_UID: '1000',
      FLP_GID: '1000',
      FLP_SUPPLEMENTAL_GROUPS: '[1000, 1001, 44]',
    });
  });
  it('uses another user when asked', () => {
    expect(executorEnv({ user: 'alice', lookupUser }).FLP_SUPPLEMENTAL_GROUPS).to.equal('[1001]');
  });
  it('explicit values override the lookup', () => {
    const env = executorEnv({ user: 'alice', uid: 5, gid: 6, supplementalGroups: [7, 8], lookupUser: () => undefined });
    expect(env).to.include({ FLP_UID: '5', FLP_GID: '6', FLP_SUPPLEMENTAL_GROUPS: '[7, 8]' });
    expect(executorEnv({ uid: 1, gid: 2, lookupUser }).FLP_SUPPLEMENTAL_GROUPS).to.equal('[1000, 1001, 44]');
    expect(executorEnv({ uid: 1, gid: 2, lookupUser: () => undefined }).FLP_SUPPLEMENTAL_GROUPS).to.equal('[2]');
  });
  it('an unknown user without explicit ids is an error naming the user', () => {
    expect(() => executorEnv({ user: 'nobody-here', lookupUser })).to.throw(
      ExecutorEnvError,
      'user "nobody-here" not found in /etc/passwd (it gives FLP_UID, FLP_GID and FLP_SUPPLEMENTAL_GROUPS): pass --user NAME of an existing user, or set FLP_UID and FLP_GID (e.g. --env FLP_UID=1000 --env FLP_GID=1000)',
    );
    expect(() =>
      executorEnv({
        lookupUser: makeUserLookup({
          readFile: () => {
            throw new Error('x');
          },
        }),
      }),
    ).to.throw(/user "flp" not found/);
  });
  it('empty arguments give an empty KUBE_ARGUMENTS', () => {
    expect(executorEnv({ uid: 1, gid: 1, supplementalGroups: [], lookupUser }).KUBE_ARGUMENTS).to.equal('');
    expect(executorEnv({ uid: 1, gid: 1, supplementalGroups: [], lookupUser }).FLP_SUPPLEMENTAL_GROUPS).to.equal('[]');
  });
  it('identityFromEnv reads pinned FLP_* values', () => {
    expect(identityFromEnv({ FLP_UID: '1000', FLP_GID: '1001', FLP_SUPPLEMENTAL_GROUPS: '[1000, 1002]' })).to.deep.equal({
      uid: 1000,
      gid: 1001,
      supplementalGroups: [1000, 1002],
    });
    expect(identityFromEnv({})).to.deep.equal({});
    expect(() => identityFromEnv({ FLP_UID: 'abc' })).to.throw(/FLP_UID must be/);
    expect(() => identityFromEnv({ FLP_SUPPLEMENTAL_GROUPS: '[a]' })).to.throw(/FLP_SUPPLEMENTAL_GROUPS/);
  });
});

describe('render: shellQuote', () => {
  const words = ['plain', 'file:/a/b.cfg', '--opt=1', '', 'a b', "it's", '$HOME', '`id`', 'a;b', '"q"', '\\', 'x\ny', '*', 'é'];
  it('leaves safe words bare and quotes the rest', () => {
    expect(shellQuote('plain')).to.equal('plain');
    expect(shellQuote('')).to.equal("''");
    expect(shellQuote("it's")).to.equal("'it'\\''s'");
    expect(shellQuote('$HOME')).to.equal("'$HOME'");
  });
  it('round-trips through a real POSIX shell', () => {
    const line = words.map(shellQuote).join(' ');
    const out = execFileSync('/bin/sh', ['-c', `for w in ${line}; do printf '%s\\0' "$w"; done`], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).to.deep.equal(words);
  });
});
