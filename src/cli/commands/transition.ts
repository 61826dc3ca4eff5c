import { parseEnvList } from '../../render/index.ts';
import { parseTransitionEvent } from '../../task/transitions.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { UsageError } from '../usage-error.ts';
import { CONNECTION_FLAGS, TEMPLATE_FLAGS, connectionFlags, parse, strings, templateFlags } from '../flags.ts';
import { formatStatusUpdate } from '../printers.ts';
import { enableVerbose, makeKubectl, makeTask } from '../task-context.ts';

export const transitionCommand: Command = {
  name: 'transition',
  summary: 'Move a launched Task: CONFIGURE, START, STOP or RESET; waits for status.state to follow',
  usage: 'kubectl-task transition EVENT -f TEMPLATE [--env K=V]... [--arg K=V]... [--timeout 30s] [-o json]',
  async run(argv, { out }) {
    const { values, positionals } = parse('transition', argv, { ...CONNECTION_FLAGS, ...TEMPLATE_FLAGS, arg: { type: 'string', multiple: true } });
    const [eventName, ...extra] = positionals;
    if (eventName === undefined || extra.length > 0) throw new UsageError(`transition: expected exactly one EVENT (CONFIGURE, START, STOP, RESET), got ${positionals.length}`);
    if (parseTransitionEvent(eventName) === undefined) throw new UsageError(`transition: unknown event "${eventName}" (CONFIGURE, START, STOP, RESET)`);
    const connection = connectionFlags(values);
    enableVerbose(connection);
    const template = await templateFlags('transition', values);
    const args = parseEnvList(strings(values['arg']));
    const kubectl = makeKubectl(connection);
    // Attaching reports the current state; only what the transition changes is printed.
    let phase: 'attaching' | 'transitioning' = 'attaching';
    const task = await makeTask({
      template,
      connection,
      kubectl,
      onStatus: (update) => {
        if (phase === 'transitioning') out.stdout(formatStatusUpdate(update, template.output));
      },
    });
    try {
      await task.attach();
      phase = 'transitioning';
      await task.transition(eventName, args);
    } finally {
      await task.detach();
    }
    return EXIT.ok;
  },
};
