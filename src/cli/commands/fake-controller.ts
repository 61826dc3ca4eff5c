import type { Command, CommandIo, CommandOptions } from '../command.ts';
import type { ExitCode } from '../exit-codes.ts';
import { CONNECTION_FLAGS, connectionFlags, parse, type CommandLine, type ConnectionFlags } from '../flags.ts';
import { exitWhenOrphaned } from '../parent-watch.ts';
import { enableVerbose } from '../task-context.ts';
import { UsageError } from '../usage-error.ts';

const FLAGS = {
  ...CONNECTION_FLAGS,
  'all-namespaces': { type: 'boolean', short: 'A' },
  'delay-ms': { type: 'string' },
} as const;

/**
 * Stands in for the ALICE task manager on any cluster (k3s, kind…) through kubectl: follows each
 * Task's spec.state and writes status.state through the status subresource. Runs until Ctrl-C /
 * SIGTERM, or until the process that started it is gone.
 */
class FakeControllerOptions implements CommandOptions {
  private line!: CommandLine<typeof FLAGS>;
  private connection!: ConnectionFlags;
  private delayMs: number | undefined;

  complete(argv: readonly string[]): void {
    this.line = parse('fake-controller', argv, FLAGS);
    this.connection = connectionFlags(this.line.flags);
  }

  validate(): void {
    const delay = this.line.flags.delayMs;
    this.delayMs = delay === undefined ? undefined : Number(delay);
    if (this.delayMs !== undefined && !(Number.isFinite(this.delayMs) && this.delayMs >= 0)) {
      throw new UsageError(`fake-controller: --delay-ms must be a number >= 0, got "${delay}"`);
    }
  }

  async run({ out, signal }: CommandIo): Promise<ExitCode> {
    const { connection, delayMs } = this;
    enableVerbose(connection);
    const { runFakeControllerCommand } = await import('../../sandbox/controller/cli.ts');
    const binary = connection.kubectl ?? process.env['KUBECTL'];
    const lifetime = exitWhenOrphaned(signal);
    try {
      // It answers 0, or 1 when it could not start or its watches failed for good.
      return (await runFakeControllerCommand({
        ...(binary === undefined || binary === '' ? {} : { binary }),
        ...(connection.kubeconfig === undefined ? {} : { kubeconfig: connection.kubeconfig }),
        ...(connection.context === undefined ? {} : { context: connection.context }),
        ...(this.line.flags.allNamespaces || connection.namespace === undefined ? {} : { namespace: connection.namespace }),
        ...(delayMs === undefined ? {} : { delayMs }),
        signal: lifetime.signal,
        log: (line) => out.stderr(`${line}\n`),
      })) as ExitCode;
    } finally {
      lifetime.stop();
    }
  }
}

export const fakeControllerCommand: Command = {
  name: 'fake-controller',
  summary: 'Drive Tasks like the in-cluster task manager would, through kubectl (for demos and tests)',
  usage: 'kubectl-task fake-controller [-n NS | -A] [--delay-ms N] [--kubeconfig F] [--context C]',
  newOptions: () => new FakeControllerOptions(),
};
