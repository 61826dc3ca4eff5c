import type { Command } from '../command.ts';
import { UsageError } from '../usage-error.ts';
import { CONNECTION_FLAGS, connectionFlags, parse, str } from '../flags.ts';
import { exitWhenOrphaned } from '../parent-watch.ts';
import { enableVerbose } from '../task-context.ts';

/**
 * Stands in for the ALICE task manager on any cluster (k3s, kind…) through kubectl: follows each
 * Task's spec.state and writes status.state through the status subresource. Runs until Ctrl-C /
 * SIGTERM, or until the process that started it is gone.
 */
export const fakeControllerCommand: Command = {
  name: 'fake-controller',
  summary: 'Drive Tasks like the in-cluster task manager would, through kubectl (for demos and tests)',
  usage: 'kubectl-task fake-controller [-n NS | -A] [--delay-ms N] [--kubeconfig F] [--context C]',
  async run(argv, { out, signal }) {
    const { values } = parse('fake-controller', argv, {
      ...CONNECTION_FLAGS,
      'all-namespaces': { type: 'boolean', short: 'A' },
      'delay-ms': { type: 'string' },
    });
    const connection = connectionFlags(values);
    enableVerbose(connection);
    const delay = str(values['delay-ms']);
    const delayMs = delay === undefined ? undefined : Number(delay);
    if (delayMs !== undefined && !(Number.isFinite(delayMs) && delayMs >= 0)) throw new UsageError(`fake-controller: --delay-ms must be a number >= 0, got "${delay}"`);
    const { runFakeControllerCommand } = await import('../../sandbox/controller/cli.ts');
    const binary = connection.kubectl ?? process.env['KUBECTL'];
    const lifetime = exitWhenOrphaned(signal);
    try {
      return await runFakeControllerCommand({
        ...(binary === undefined || binary === '' ? {} : { binary }),
        ...(connection.kubeconfig === undefined ? {} : { kubeconfig: connection.kubeconfig }),
        ...(connection.context === undefined ? {} : { context: connection.context }),
        ...(values['all-namespaces'] === true || connection.namespace === undefined ? {} : { namespace: connection.namespace }),
        ...(delayMs === undefined ? {} : { delayMs }),
        signal: lifetime.signal,
        log: (line) => out.stderr(`${line}\n`),
      });
    } finally {
      lifetime.stop();
    }
  },
};
