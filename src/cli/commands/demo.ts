import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kubectl } from '../../kubectl/runner.ts';
import { KubectlTask } from '../../task/kubectl-task.ts';
import type { Command, CommandIo, CommandOptions } from '../command.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { parse, type CommandLine } from '../flags.ts';
import { formatStatusUpdate } from '../printers.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const FLAGS = { insecure: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

/**
 * A full task lifecycle on the embedded sandbox with the real kubectl: the README's first
 * command. Everything it does goes through kubectl, exactly as against a real cluster.
 */
class DemoOptions implements CommandOptions {
  private line!: CommandLine<typeof FLAGS>;

  complete(argv: readonly string[]): void {
    this.line = parse('demo', argv, FLAGS);
  }

  validate(): void {
    // --insecure is all there is to it.
  }

  async run({ out }: CommandIo): Promise<ExitCode> {
    const { startSandbox } = await import('../../sandbox/index.ts');
    const sandbox = await startSandbox({ tls: !this.line.flags.insecure, controller: { delayMs: 300 } });
    const say = (line: string): void => out.stdout(`${line}\n`);
    try {
      const kubeconfig = sandbox.kubeconfigPath;
      say(`sandbox ready: KUBECONFIG=${kubeconfig}`);
      const admin = new Kubectl({ kubeconfig, context: 'admin' });
      const show = async (args: string[]): Promise<void> => {
        say(`$ kubectl ${args.join(' ')}`);
        const result = await admin.run(args, { namespace: null });
        out.stdout(result.stdout + result.stderr);
      };
      await show(['apply', '-f', path.join(repoRoot, 'manifests', 'task-crd.yaml')]);
      await show(['create', 'namespace', 'demo']);
      const task = new KubectlTask({
        id: 'demo-example',
        kubectl: admin.with({ namespace: 'demo' }),
        template: { file: path.join(repoRoot, 'templates', 'example.yaml') },
        env: { TASK_NAME: 'demo-example', O2_PARTITION: 'demo-partition' },
        baseEnv: {},
        namespace: { explicit: 'demo' },
        transitionTimeoutMs: 20_000,
        onStatus: (update) => out.stdout(formatStatusUpdate(update, 'text')),
      });
      say('--- launch templates/example.yaml');
      // Resolves once the fake task manager reported the first status.state (standby).
      await task.launch();
      say('--- CONFIGURE');
      await task.transition('CONFIGURE', { environment_id: 'demo-env', 'chans.readout.0.address': 'ipc://@demo' });
      await show(['get', 'tasks', '-n', 'demo']);
      for (const event of ['START', 'STOP', 'RESET'] as const) {
        say(`--- ${event}`);
        await task.transition(event);
      }
      say('--- kill');
      const final = await task.kill();
      await show(['get', 'tasks,configmaps', '-n', 'demo', '-l', 'app.kubernetes.io/managed-by=kubectl-task']);
      say(final === 'TASK_KILLED' ? 'demo finished: the task went through its whole lifecycle' : `demo failed: ${final}`);
      return final === 'TASK_KILLED' ? EXIT.ok : EXIT.taskFailed;
    } finally {
      await sandbox.close();
    }
  }
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Start the sandbox and run launch → CONFIGURE → START → STOP → RESET → kill of templates/example.yaml',
  usage: 'kubectl-task demo [--insecure]',
  newOptions: () => new DemoOptions(),
};
