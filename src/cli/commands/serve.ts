/**
 * `kubectl-task serve`: the executor bridge. One long-lived process per executor holds one engine
 * (TaskFleet: shared informers, batched kubectl calls) and speaks the NDJSON protocol of
 * src/bridge/protocol.ts on stdin/stdout; logs go to stderr. SIGTERM/SIGINT shut it down like a
 * `shutdown` request: Tasks keep running, and the next serve with the same --executor-id
 * reattaches to them.
 */
import type { Engine } from '../../fleet/types.ts';
import type { Command, CommandIo, CommandOptions } from '../command.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { connectionFlags, parse, parseDuration, type CommandLine, type ConnectionFlags } from '../flags.ts';
import { enableVerbose, makeKubectl } from '../task-context.ts';
import { UsageError } from '../usage-error.ts';

// The connection flags by name (not CONNECTION_FLAGS): --timeout has no meaning for a server,
// and accepting it silently would suggest it had one.
const FLAGS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  'all-namespaces': { type: 'boolean', short: 'A' },
  'executor-id': { type: 'string' },
  'unreachable-grace': { type: 'string' },
  kubectl: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

class ServeOptions implements CommandOptions {
  private line!: CommandLine<typeof FLAGS>;
  private connection!: ConnectionFlags;
  private unreachableGraceMs: number | undefined;

  complete(argv: readonly string[]): void {
    this.line = parse('serve', argv, FLAGS);
    this.connection = connectionFlags(this.line.flags);
  }

  validate(): void {
    const { flags, positionals } = this.line;
    if (positionals.length > 0) throw new UsageError(`serve: unexpected argument "${positionals[0]}" (requests come on stdin; see kubectl-task serve --help)`);
    if (flags.allNamespaces && this.connection.namespace !== undefined) {
      throw new UsageError('serve: -n/--namespace and -A/--all-namespaces exclude each other');
    }
    const grace = flags.unreachableGrace;
    this.unreachableGraceMs = grace === undefined ? undefined : durationFlag('--unreachable-grace', grace);
  }

  async run({ out, signal }: CommandIo): Promise<ExitCode> {
    const { connection, unreachableGraceMs } = this;
    const { allNamespaces, executorId } = this.line.flags;
    enableVerbose(connection);
    const [{ createFleet }, { serveBridge }] = await Promise.all([import('../../fleet/fleet.ts'), import('../../bridge/server.ts')]);
    const engine = ((): Engine => {
      try {
        return createFleet({
          kubectl: makeKubectl(connection),
          ...(connection.namespace === undefined ? {} : { namespace: connection.namespace }),
          ...(allNamespaces ? { allNamespaces } : {}),
          ...(executorId === undefined ? {} : { executorId }),
          ...(unreachableGraceMs === undefined ? {} : { unreachableGraceMs }),
        });
      } catch (error) {
        // The fleet checks its options (the executor id must be a label value) with TypeErrors.
        if (error instanceof TypeError) throw new UsageError(`serve: ${error.message}`);
        throw error;
      }
    })();
    // stdin/stdout themselves, not `out`: the protocol needs the streams' end and error events
    // (EOF or EPIPE means the executor is gone, and the bridge shuts down).
    try {
      await serveBridge({ engine, input: process.stdin, output: process.stdout, signal, log: (line) => out.stderr(`${line}\n`) });
    } finally {
      // The paused stdin handle would otherwise keep the process alive after a `shutdown` request.
      process.stdin.destroy();
    }
    return EXIT.ok;
  }
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve many tasks to an executor: NDJSON requests on stdin, responses and status updates on stdout',
  usage:
    'kubectl-task serve [--kubeconfig F] [--context C] [-n NS | -A/--all-namespaces] [--executor-id ID] [--unreachable-grace 60s] ' + '[--kubectl PATH] [-v]',
  newOptions: () => new ServeOptions(),
};

function durationFlag(flag: string, raw: string): number {
  try {
    return parseDuration(raw);
  } catch {
    throw new UsageError(`serve: invalid ${flag} "${raw}" (use e.g. 60s, 2m, 500ms)`);
  }
}
