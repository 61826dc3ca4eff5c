/**
 * An error answered by (or inside) the bridge: one of the bridge's own reasons (BadRequest,
 * BridgeClosed, …), or, on the client, the reason the bridge answered (UnknownTask, WrongState,
 * …; `Unknown` for one this version does not know, the bridge's word kept in `wireReason`).
 */
import { ReasonedError, guardOf, type Reason } from '../errors.ts';

export class BridgeError extends ReasonedError {
  override readonly name = 'BridgeError';
  /** The reason as the bridge wrote it, when it is not one of this version's Reasons. */
  readonly wireReason?: string;

  constructor(reason: Reason, message: string, options?: { cause?: unknown; wireReason?: string }) {
    super(reason, message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.wireReason !== undefined) this.wireReason = options.wireReason;
  }
}

export const isBridgeError = guardOf(BridgeError);
