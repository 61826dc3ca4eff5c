/**
 * What status, watch and kill share: their flags name one task (task-ref.ts) on one connection.
 * complete reads the flags, validate decides how the task is named, and run (each command's own)
 * starts with resolve(), which reads a template's variables when the task is named by one.
 */
import { TASK_FLAGS, connectionFlags, outputFormat, parse, type CommandLine, type ConnectionFlags } from './flags.ts';
import { enableVerbose } from './task-context.ts';
import { chooseTaskRef, resolveTaskRef, type TaskRef, type TaskRefChoice } from './task-ref.ts';

export abstract class TaskCommandOptions {
  private line!: CommandLine<typeof TASK_FLAGS>;
  protected connection!: ConnectionFlags;
  private choice!: TaskRefChoice;

  constructor(private readonly command: string) {}

  complete(argv: readonly string[]): void {
    this.line = parse(this.command, argv, TASK_FLAGS);
    this.connection = connectionFlags(this.line.flags);
  }

  validate(): void {
    this.choice = chooseTaskRef(this.command, this.line, outputFormat(this.command, this.line.flags.output));
  }

  /** The first step of run: -v takes effect, and the task named is read. */
  protected resolve(): Promise<TaskRef> {
    enableVerbose(this.connection);
    return resolveTaskRef(this.command, this.choice, this.line);
  }
}
