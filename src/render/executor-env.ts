/**
 * The variables the original executor provided to every template: KUBE_COMMAND, KUBE_ARGUMENTS
 * and the FLP_* identity of the user the task runs as. Returned as a fresh object, never written
 * into process.env (defect 1).
 */
import { readFileSync } from 'node:fs';
import { ReasonedError, guardOf } from '../errors.ts';

export interface UserInfo {
  readonly uid: number;
  readonly gid: number;
  /** Primary gid first, then the groups listing the user as a member (like Go's GroupIds). */
  readonly groups: number[];
}

export type LookupUser = (name: string) => UserInfo | undefined;

export interface ExecutorEnvArgs {
  readonly command?: string;
  /** The workflow's arguments AFTER the manifest path. */
  readonly arguments?: readonly string[];
  /** Defaults to `flp`, the upstream's hard-coded user. */
  readonly user?: string;
  readonly uid?: number;
  readonly gid?: number;
  readonly supplementalGroups?: readonly number[];
  readonly lookupUser?: LookupUser;
}

export class ExecutorEnvError extends ReasonedError<'ExecutorEnvError'> {
  override readonly name = 'ExecutorEnvError';
  constructor(message: string) {
    super('ExecutorEnvError', message);
  }
}

export const isExecutorEnvError = guardOf(ExecutorEnvError);

export function executorEnv(args: ExecutorEnvArgs): Record<string, string> {
  const user = args.user ?? 'flp';
  const needLookup = args.uid === undefined || args.gid === undefined || args.supplementalGroups === undefined;
  const lookup = args.lookupUser ?? makeUserLookup({});
  const found = needLookup ? lookup(user) : undefined;
  const uid = args.uid ?? found?.uid;
  const gid = args.gid ?? found?.gid;
  if (uid === undefined || gid === undefined) {
    throw new ExecutorEnvError(
      `user "${user}" not found in /etc/passwd (it gives FLP_UID, FLP_GID and FLP_SUPPLEMENTAL_GROUPS): ` +
        'pass --user NAME of an existing user, or set FLP_UID and FLP_GID (e.g. --env FLP_UID=1000 --env FLP_GID=1000)',
    );
  }
  const groups = args.supplementalGroups ?? found?.groups ?? [gid];
  return {
    KUBE_COMMAND: args.command ?? '',
    KUBE_ARGUMENTS: (args.arguments ?? []).map(shellQuote).join(' '),
    FLP_UID: String(uid),
    FLP_GID: String(gid),
    FLP_SUPPLEMENTAL_GROUPS: `[${groups.join(', ')}]`,
  };
}

/** POSIX shell quoting: words made only of safe characters stay bare, others get single quotes. */
export function shellQuote(word: string): string {
  if (word === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface UserLookupOptions {
  readonly passwdPath?: string;
  readonly groupPath?: string;
  /** Injected for tests; defaults to fs.readFileSync (utf8). Missing files mean "no users". */
  readonly readFile?: (path: string) => string;
}

/** A lookup reading passwd(5) and group(5) files. */
export function makeUserLookup(options: UserLookupOptions): LookupUser {
  const passwdPath = options.passwdPath ?? '/etc/passwd';
  const groupPath = options.groupPath ?? '/etc/group';
  const read = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const readOrEmpty = (p: string): string => {
    try {
      return read(p);
    } catch {
      return '';
    }
  };
  return (name) => {
    const entry = readOrEmpty(passwdPath)
      .split('\n')
      .map((line) => line.split(':'))
      .find((f) => f[0] === name && f.length >= 4);
    if (entry === undefined) return undefined;
    const uid = Number(entry[2]);
    const gid = Number(entry[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) return undefined;
    const groups = [gid];
    for (const line of readOrEmpty(groupPath).split('\n')) {
      const f = line.split(':');
      const members = (f[3] ?? '').split(',').map((m) => m.trim());
      const id = Number(f[2]);
      if (members.includes(name) && Number.isInteger(id) && !groups.includes(id)) groups.push(id);
    }
    return { uid, gid, groups };
  };
}

/**
 * FLP_UID / FLP_GID / FLP_SUPPLEMENTAL_GROUPS given in a task env (e.g. a workflow's command.env),
 * as explicit executorEnv values — so a workflow can run where no `flp` user exists.
 */
export function identityFromEnv(env: Readonly<Record<string, string | undefined>>): Pick<ExecutorEnvArgs, 'uid' | 'gid' | 'supplementalGroups'> {
  const int = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v.trim() === '') return undefined;
    if (!/^\d+$/.test(v.trim())) throw new ExecutorEnvError(`${name} must be a non-negative integer`);
    return Number(v.trim());
  };
  const out: { uid?: number; gid?: number; supplementalGroups?: number[] } = {};
  const uid = int('FLP_UID');
  const gid = int('FLP_GID');
  if (uid !== undefined) out.uid = uid;
  if (gid !== undefined) out.gid = gid;
  const groups = env['FLP_SUPPLEMENTAL_GROUPS'];
  if (groups !== undefined && groups.trim() !== '') {
    const items = groups
      .trim()
      .replace(/^\[/, '')
      .replace(/\]$/, '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (!items.every((s) => /^\d+$/.test(s))) {
      throw new ExecutorEnvError('FLP_SUPPLEMENTAL_GROUPS must be a list of integers like [1000, 1001]');
    }
    out.supplementalGroups = items.map(Number);
  }
  return out;
}
