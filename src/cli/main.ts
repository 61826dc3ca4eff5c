/**
 * kubectl-task: the CLI, also the kubectl plugin `kubectl task` (kubectl runs `kubectl-task` from
 * PATH with the remaining arguments). Maps every failure to one line and a documented exit code.
 */
import type { Command } from './command.ts';
import { EXIT, diagnose, exitCodeFor } from './exit-codes.ts';
import { processOut, table, type Out } from './printers.ts';
import { renderCommand } from './commands/render.ts';
import { launchCommand } from './commands/launch.ts';
import { transitionCommand } from './commands/transition.ts';
import { statusCommand } from './commands/status.ts';
import { watchCommand } from './commands/watch.ts';
import { killCommand } from './commands/kill.ts';
import { runWorkflowCommand } from './commands/run-workflow.ts';
import { sandboxCommand } from './commands/sandbox.ts';
import { fakeControllerCommand } from './commands/fake-controller.ts';
import { demoCommand } from './commands/demo.ts';

export const COMMANDS: readonly Command[] = [
  renderCommand,
  launchCommand,
  transitionCommand,
  statusCommand,
  watchCommand,
  killCommand,
  runWorkflowCommand,
  sandboxCommand,
  fakeControllerCommand,
  demoCommand,
];

function help(): string {
  return [
    'kubectl-task: run executor tasks as aliecs.alice.cern Task resources through kubectl.',
    '',
    'Commands:',
    table(COMMANDS.map((c) => [`  ${c.name}`, c.summary])).trimEnd(),
    '',
    'Common flags: --kubeconfig F, --context C, -n/--namespace N, -o json|yaml|name, --timeout 30s, -v.',
    'Exit codes: 0 ok, 1 task failed, 2 usage or render error, 3 cluster or kubectl error.',
    'Run `kubectl-task COMMAND --help` for a command\'s usage.',
    '',
  ].join('\n');
}

export async function main(argv: string[], options: { out?: Out; signal?: AbortSignal } = {}): Promise<number> {
  const out = options.out ?? processOut;
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out.stdout(help());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    out.stderr(`error: unknown command "${name}"\n${help()}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out.stdout(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return EXIT.ok;
  }
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  if (options.signal === undefined) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  } else {
    options.signal.addEventListener('abort', onSignal, { once: true });
  }
  try {
    return await command.run(rest, { out, signal: controller.signal });
  } catch (error) {
    out.stderr(`${diagnose(error)}\n`);
    return exitCodeFor(error);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
