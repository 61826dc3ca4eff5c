/** The one error type of manifest building; messages name the file and the documents concerned. */
export class ManifestError extends Error {
  readonly code = 'ManifestError' as const;
  readonly file: string;
  constructor(args: { readonly message: string; readonly file: string }) {
    super(args.message);
    this.name = 'ManifestError';
    this.file = args.file;
  }
}
