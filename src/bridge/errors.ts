/**
 * An error answered by (or inside) the bridge. `code` repeats `reason` so that reasonOf() (and so
 * the CLI's exit-code mapping) reads it like any other error of the project.
 */
export class BridgeError extends Error {
  override readonly name = 'BridgeError';
  readonly reason: string;
  readonly code: string;

  constructor(reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
    this.code = reason;
  }
}
