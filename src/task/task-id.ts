/**
 * What a task id may be: any text but control characters, not blank, with no whitespace at either
 * end. It labels every object of its task (hashed into a label value where it must be), and it is
 * printed in tables, status lines and the bridge's JSON lines: a newline in it would break them,
 * and a blank or padded id is an executor's bug, not a name.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it keeps out
export const TASK_ID_PATTERN = /^[^\x00-\x20\x7f](?:[^\x00-\x1f\x7f]*[^\x00-\x20\x7f])?$/;

export const TASK_ID_RULE = 'must not start or end with whitespace, or contain control characters';

/** Why `id` is no task id (`must not be empty`, …), or undefined when it is one. */
export function taskIdProblem(id: string): string | undefined {
  if (id.trim() === '') return 'must not be empty';
  return TASK_ID_PATTERN.test(id) ? undefined : TASK_ID_RULE;
}
