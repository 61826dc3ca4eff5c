/** The one error type of manifest building; messages name the file and the documents concerned. */
import { ReasonedError, guardOf } from '../errors.ts';

export class ManifestError extends ReasonedError<'ManifestError'> {
  override readonly name: string = 'ManifestError';
  readonly file: string;
  constructor(args: { readonly message: string; readonly file: string }) {
    super('ManifestError', args.message);
    this.file = args.file;
  }
}

/** A ManifestError, WorkflowError (of a control workflow) included. */
export const isManifestError = guardOf(ManifestError);
