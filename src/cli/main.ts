/**
 * kubectl-task: the CLI, also the kubectl plugin `kubectl task` (kubectl runs `kubectl-task` from
 * PATH with the remaining arguments). Maps every failure to one line and a documented exit code.
 */
import { packageVersion } from '../package-version.ts';
import { runCommand, type Command } from './command.ts';
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
import { serveCommand } from './commands/serve.ts';

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
  serveCommand,
];

function help(): string {
  return [
    'kubectl-task: run executor tasks as aliecs.alice.cern Task resources through kubectl.',
    '',
    'Commands:',
    table(COMMANDS.map((c) => [`  ${c.name}`, c.summary])).trimEnd(),
    '',
    'Common flags: --kubeconfig F, --context C, -n/--namespace N, -o json|yaml|name, --timeout 30s, -v.',
    'As with kubectl, --kubeconfig, --context, -n/--namespace, --kubectl and -v may also come before COMMAND.',
    '`kubectl-task --version` prints the version.',
    'Exit codes: 0 ok, 1 task failed, 2 usage or render error, 3 cluster or kubectl error.',
    "Run `kubectl-task COMMAND --help` for a command's usage.",
    '',
  ].join('\n');
}

/** Flags kubectl users put before the command (`kubectl task --kubeconfig F status …`), by spelling. */
const GLOBAL_VALUE_FLAGS: ReadonlyMap<string, string> = new Map([
  ['--kubeconfig', '--kubeconfig'],
  ['--context', '--context'],
  ['-n', '--namespace'],
  ['--namespace', '--namespace'],
  ['--kubectl', '--kubectl'],
]);
const GLOBAL_BOOLEAN_FLAGS: ReadonlySet<string> = new Set(['-v', '--verbose']);
const GLOBAL_FLAGS_HELP = '--kubeconfig, --context, -n/--namespace, --kubectl, -v';

type Leading =
  | { readonly kind: 'command'; readonly name: string; readonly globals: string[]; readonly rest: string[] }
  | { readonly kind: 'help' | 'version' | 'none' }
  | { readonly kind: 'error'; readonly message: string };

/**
 * Splits `[global flags…] COMMAND args…`. The global flags are handed to the command in front of
 * its own arguments, as `--long=value`, so every command parses them exactly as if they came after
 * its name (and a repeated flag after the command wins, as in kubectl).
 */
function splitLeading(argv: readonly string[]): Leading {
  const globals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--version') return { kind: 'version' };
    if (arg === '--help' || arg === '-h' || arg === 'help') return { kind: 'help' };
    if (arg === 'version') return { kind: 'version' };
    if (!arg.startsWith('-') || arg === '-') return { kind: 'command', name: arg, globals, rest: argv.slice(i + 1) };
    if (GLOBAL_BOOLEAN_FLAGS.has(arg)) {
      globals.push('--verbose');
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg.startsWith('-n') && !arg.startsWith('--') ? '-n' : arg;
    const long = GLOBAL_VALUE_FLAGS.get(flag);
    if (long === undefined) return { kind: 'error', message: `unknown flag "${arg}" before the command (allowed there: ${GLOBAL_FLAGS_HELP})` };
    // --flag=value, -n=value, -nvalue (pflag's forms) or --flag value.
    const attached = eq > 0 ? arg.slice(eq + 1) : flag !== arg ? arg.slice(flag.length) : undefined;
    const value = attached ?? argv[++i];
    if (value === undefined || value === '') return { kind: 'error', message: `flag ${flag} needs a value` };
    globals.push(`${long}=${value}`);
  }
  return { kind: 'none' };
}

export async function main(argv: string[], options: { out?: Out; signal?: AbortSignal } = {}): Promise<number> {
  const out = options.out ?? processOut;
  const leading = splitLeading(argv);
  if (leading.kind === 'error') {
    out.stderr(`error: ${leading.message}\n`);
    return EXIT.usage;
  }
  if (leading.kind === 'version') {
    out.stdout(`kubectl-task ${packageVersion()}\n`);
    return EXIT.ok;
  }
  if (leading.kind !== 'command') {
    out.stdout(help());
    // Flags but no command is a mistake; `kubectl-task` alone shows the help, as before.
    return leading.kind === 'help' ? EXIT.ok : EXIT.usage;
  }
  const { name, globals, rest } = leading;
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
    return await runCommand(command, [...globals, ...rest], { out, signal: controller.signal });
  } catch (error) {
    out.stderr(`${diagnose(error)}\n`);
    return exitCodeFor(error);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
