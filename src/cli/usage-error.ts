/** Errors of the CLI's own making: a bad flag, an unreadable file, a task named wrongly. Exit 2. */
import { ReasonedError, guardOf } from '../errors.ts';

export class UsageError extends ReasonedError<'UsageError'> {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('UsageError', message);
  }
}

export const isUsageError = guardOf(UsageError);
