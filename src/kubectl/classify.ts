/**
 * The ONE place that turns a kubectl run into a failure reason. Sources: exit code, spawn error,
 * timeout flag and kubectl's stderr (texts as recorded from kubectl 1.32 against kube-apiserver 1.26,
 * see /work/shared/reference/kube-apiserver-1.26).
 *
 * Decisions worth knowing:
 * - `Error from server (<Reason>)` carries the API server's own reason and wins over text patterns.
 * - BadRequest, `error validating data`, `strict decoding error`, `unknown field` and missing kinds
 *   (`no matches for kind`, `doesn't have a resource type`: CRD not installed) are `Invalid`: the same
 *   request can never succeed, so it must not be retried. A missing CRD is deliberately NOT `NotFound`,
 *   because callers read NotFound as "the object does not exist".
 * - TLS failures (handshake timeout, unknown authority) are `Unreachable`, like refused connections.
 * - `timed out waiting for the condition` (kubectl's own `--timeout`) is `Timeout`; callers that pass
 *   `--timeout` themselves usually want `retry: false`.
 * - 429: client-go already honours Retry-After itself (up to 10 times) before kubectl gives up, and
 *   kubectl's final line (`Error from server (TooManyRequests): …`) does not repeat the delay. We parse
 *   one anyway when stderr carries it (client-go's `Got a Retry-After 3s response` at -v≥4, or a
 *   `retry after`/`Retry-After:` text from a proxy); otherwise retryAfterMs stays undefined.
 */
import { oneLine } from './errors.ts';
import { redactText } from './redact.ts';
import type { KubectlReason } from '../errors.ts';
import type { KubectlResult } from './types.ts';

export interface Classification {
  readonly reason: KubectlReason;
  /** `kubectl <verb> <object>: <Reason>: <kubectl's first meaningful stderr line>` (redacted, one line). */
  readonly message: string;
  readonly retryAfterMs?: number;
}

/** API server Status reasons (as kubectl prints them in `Error from server (X)`) → our reasons. */
const SERVER_REASONS: Readonly<Record<string, KubectlReason>> = {
  NotFound: 'NotFound',
  AlreadyExists: 'AlreadyExists',
  Conflict: 'Conflict',
  Invalid: 'Invalid',
  BadRequest: 'Invalid',
  RequestEntityTooLarge: 'Invalid',
  MethodNotAllowed: 'Invalid',
  UnsupportedMediaType: 'Invalid',
  Forbidden: 'Forbidden',
  Unauthorized: 'Unauthorized',
  Timeout: 'Timeout',
  ServerTimeout: 'Timeout',
  TooManyRequests: 'TooManyRequests',
  InternalError: 'ServerError',
  ServiceUnavailable: 'ServerError',
};

/** One pattern of alternatives given in parts (each part alternatives itself), too long for one line. */
function anyOf(parts: readonly string[], flags = ''): RegExp {
  return new RegExp(parts.join('|'), flags);
}

/** Text patterns, checked in order after the server reason tag. First match wins. */
const PATTERNS: ReadonlyArray<readonly [KubectlReason, RegExp]> = [
  // Before NotFound: `context was not found for specified context: x` is the caller's, not the server's.
  [
    'KubeconfigError',
    anyOf([
      'context was not found for specified context|cannot locate context|no context exists with the name',
      'current-context must exist|context "[^"\\n]*" does not exist',
      'cluster has no server defined|error loading config file|Error in configuration:|invalid configuration:',
    ]),
  ],
  ['Unauthorized', /You must be logged in to the server|provide credentials|\bUnauthorized\b/],
  ['Forbidden', /\bis forbidden: User\b|\bforbidden\b.*\bcannot\b/],
  ['TooManyRequests', /too many requests/i],
  [
    'Unreachable',
    anyOf(
      [
        'Unable to connect to the server|connection refused|was refused - did you specify|no such host',
        String.raw`dial tcp[^\n]*i\/o timeout|connection reset by peer|no route to host|network is unreachable`,
        String.raw`TLS handshake|tls: |x509: |\bunexpected EOF\b|: EOF\s*$`,
      ],
      'm',
    ),
  ],
  [
    'Timeout',
    anyOf([
      'context deadline exceeded|the server was unable to return a response in the time allotted',
      String.raw`timed out waiting for the condition|Client\.Timeout exceeded|request timed out`,
    ]),
  ],
  [
    'ServerError',
    anyOf([
      'an error on the server|Internal error occurred|the server is currently unable to handle the request',
      String.raw`\b50[0-4] (Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)\b`,
    ]),
  ],
  ['Conflict', /Operation cannot be fulfilled|the object has been modified/],
  ['AlreadyExists', /\balready exists\b/],
  [
    'Invalid',
    anyOf([
      String.raw`\bis invalid\b|does not match the namespace|error validating data|strict decoding error|unknown field`,
      "no matches for kind|doesn't have a resource type|resource mapping not found",
    ]),
  ],
  ['NotFound', /\bnot found\b/],
];

/** klog lines (`E1125 01:49:34.070555   18530 memcache.go:265] …`): noise before kubectl's real error. */
const KLOG_LINE = /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [^\]]+\]\s?/;

/**
 * kubectl's advice to pass one of its own flags, which kubectl-task does not offer:
 * `…; if you choose to ignore these errors, turn validation off with
 * --validate=false`. Following it is impossible through our CLI, so it is not repeated.
 */
const FLAG_ADVICE = /;?\s*if you choose to ignore these errors, turn validation off with --validate=false\.?/g;

/** stderr without kubectl's advice about flags we cannot pass. */
function withoutFlagAdvice(stderr: string): string {
  return stderr.replace(FLAG_ADVICE, '');
}

/**
 * The stderr lines worth showing under a diagnosis: no klog lines (client-go's retries of
 * discovery, `memcache.go:265] couldn't get current server API group list`, repeat what the
 * diagnosis already says) and no advice about kubectl flags kubectl-task cannot pass. Redacted.
 */
export function stderrDetailLines(stderr: string): string[] {
  return withoutFlagAdvice(redactText(stderr))
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '' && !KLOG_LINE.test(line.trim()));
}

/** undefined = success. */
export function classify(result: KubectlResult): Classification | undefined {
  const label = commandLabel(result.argv, result.stderr);
  if (result.spawnError !== undefined) return spawnFailure(label, result);
  if (result.timedOut) {
    return {
      reason: 'Timeout',
      message: `${label}: Timeout: kubectl gave no answer within ${Math.round(result.durationMs)} ms and was killed`,
    };
  }
  if (result.exitCode === 0) return undefined;

  const stderr = withoutFlagAdvice(redactText(result.stderr));
  const detail = firstMeaningfulLine(stderr);
  const reason = reasonFromStderr(stderr);
  const retryAfterMs = reason === 'TooManyRequests' ? parseRetryAfterMs(stderr) : undefined;
  const why =
    detail !== ''
      ? detail
      : result.exitCode === null
        ? `kubectl was killed${result.signal === undefined ? '' : ` by ${result.signal}`}`
        : `kubectl exited with code ${result.exitCode} and printed nothing on stderr`;
  return {
    reason,
    message: oneLine(`${label}: ${reason}: ${why}`),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

/**
 * kubectl ended by a signal nobody here sent: not our timeout (`timedOut`), not a caller's abort
 * (the runner checks that first), not a failed start. The OOM killer or an operator's kill: the
 * request may or may not have reached the server, and running it again is as safe as the first
 * run was (every call kubectl-task makes sets absolute values or is a read), so it is retried like
 * a transient failure.
 */
export function killedBySignal(result: KubectlResult | undefined): boolean {
  return result !== undefined && result.exitCode === null && result.signal !== undefined && !result.timedOut && result.spawnError === undefined;
}

function spawnFailure(label: string, result: KubectlResult): Classification {
  const binary = result.argv[0] ?? 'kubectl';
  const code = result.spawnError ?? '';
  if (/ENOENT/.test(code)) {
    return {
      reason: 'KubectlNotFound',
      message:
        `${label}: KubectlNotFound: kubectl binary "${binary}" was not found (not on PATH or no such file); ` +
        'install kubectl or point --kubectl / the KUBECTL environment variable at it',
    };
  }
  if (/EACCES|EPERM/.test(code)) {
    return {
      reason: 'KubectlNotFound',
      message:
        `${label}: KubectlNotFound: kubectl binary "${binary}" cannot be executed (${oneLine(code)}); ` +
        'check its permissions or point --kubectl / KUBECTL at another binary',
    };
  }
  return { reason: 'Unknown', message: `${label}: Unknown: kubectl could not be started: ${oneLine(redactText(code))}` };
}

function reasonFromStderr(stderr: string): KubectlReason {
  const tag = /Error from server \((\w+)\)/.exec(stderr);
  const mapped = tag?.[1] === undefined ? undefined : SERVER_REASONS[tag[1]];
  if (mapped !== undefined) return mapped;
  for (const [reason, pattern] of PATTERNS) {
    if (pattern.test(stderr)) return reason;
  }
  return 'Unknown';
}

/**
 * kubectl's first real error line, without klog noise and the `Error from server (X): ` / `error: `
 * prefixes; `* cause` lines that follow (several validation causes) are kept. When stderr holds only
 * klog lines, the last one's text is used.
 */
export function firstMeaningfulLine(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const start = lines.findIndex((line) => !KLOG_LINE.test(line));
  if (start < 0) {
    const last = lines.at(-1);
    return last === undefined ? '' : stripPrefix(last.replace(KLOG_LINE, ''));
  }
  const first = stripPrefix(lines[start] ?? '');
  const causes: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('* ')) break;
    causes.push(line.slice(2).trim());
  }
  return causes.length === 0 ? first : `${first.replace(/:\s*$/, '')}: ${causes.join(', ')}`;
}

function stripPrefix(line: string): string {
  return line.replace(/^Error from server \(\w+\):\s*/, '').replace(/^error:\s*/, '');
}

/** Retry-After hints in stderr, in ms; undefined when kubectl did not print one. */
export function parseRetryAfterMs(stderr: string): number | undefined {
  const patterns = [
    /Retry-After:?\s*(\d+(?:\.\d+)?)\s*s?\b/i,
    /retry after\s*(\d+(?:\.\d+)?)\s*s?\b/i,
    /try again in\s*(\d+(?:\.\d+)?)\s*s/i,
    /"?retryAfterSeconds"?\s*[:=]\s*(\d+)/,
  ];
  for (const pattern of patterns) {
    const seconds = pattern.exec(stderr)?.[1];
    if (seconds !== undefined) return Math.round(Number(seconds) * 1000);
  }
  return undefined;
}

/** Flags whose value is the next argument, so the label does not mistake the value for an object. */
const FLAGS_WITH_VALUE = new Set([
  ...['-n', '--namespace', '-f', '--filename', '-o', '--output', '-p', '--patch', '--patch-file', '-l', '--selector'],
  ...['--context', '--kubeconfig', '--type', '--subresource', '--token', '--password'],
]);

/** kubectl's own wait (`delete --wait`, `wait`) names the object it gave up on; argv may list several. */
const WAITED_FOR = /timed out waiting for the condition on (\S+)/;

/**
 * `kubectl <verb> <first object argument>` for messages: global flags (`--kubeconfig=…`, `-n x`)
 * are skipped so the label reads like the command a user typed. When stderr says which object a
 * wait timed out on, that object is named instead of the first argument.
 */
export function commandLabel(argv: readonly string[], stderr = ''): string {
  const waitedFor = WAITED_FOR.exec(stderr)?.[1];
  if (waitedFor !== undefined) {
    const verb = commandLabel(argv).split(' ')[1];
    return ['kubectl', ...(verb === undefined ? [] : [verb]), waitedFor].join(' ');
  }
  const positional: string[] = [];
  for (let i = 1; i < argv.length && positional.length < 2; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') break;
    if (arg.startsWith('-')) {
      if (FLAGS_WITH_VALUE.has(arg)) i++;
      continue;
    }
    positional.push(arg);
  }
  return ['kubectl', ...positional].join(' ');
}
