import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { CONNECTION_FLAGS, connectionFlags, parse, str } from '../flags.ts';
import { enableVerbose, makeKubectl } from '../task-context.ts';

/**
 * Stands in for the ALICE task manager on any cluster (k3s, kind…) through kubectl: follows each
 * Task's spec.state and writes status.state through the status subresource.
 */
export const fakeControllerCommand: Command = {
  name: 'fake-controller',
  summary: 'Drive Tasks like the in-cluster task manager would, through kubectl (for demos and tests)',
  usage: 'kubectl-task fake-controller [--namespace N | --all-namespaces] [--delay-ms N] [--kubeconfig F] [--context C]',
  async run(argv, { out, signal }) {
    const { values } = parse('fake-controller', argv, {
      ...CONNECTION_FLAGS,
      'all-namespaces': { type: 'boolean', short: 'A' },
      'delay-ms': { type: 'string' },
    });
    const connection = connectionFlags(values);
    enableVerbose(connection);
    const delay = str(values['delay-ms']);
    const { startFakeController } = await import('../../sandbox/controller/index.ts');
    const kubectl = makeKubectl({ ...connection });
    const controller = await startFakeController({
      transport: { kind: 'kubectl', kubectl },
      ...(values['all-namespaces'] === true || connection.namespace === undefined ? {} : { namespace: connection.namespace }),
      ...(delay === undefined ? {} : { delayMs: Number(delay) }),
      log: (line) => out.stderr(`${line}\n`),
    });
    out.stderr(`fake-controller running${connection.namespace ? ` in namespace ${connection.namespace}` : ' in all namespaces'}; Ctrl-C stops it\n`);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await controller.stop();
    return EXIT.ok;
  },
};
