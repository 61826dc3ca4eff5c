/**
 * The apiserver's wording for schema violations: kube-openapi's "<path> in body ..." details (which
 * core/field.ts wraps into a StatusCause) and the strict decoding error.
 */
import { goQuote } from '../core/go-format.ts';

/** The "in body" sentence kube-openapi puts after the bad value; `path` is the dotted data path. */
export const detail = {
  type: (path: string, expected: string, actual: string): string => `${path} in body must be of type ${expected}: ${goQuote(actual)}`,
  pattern: (path: string, pattern: string): string => `${path} in body should match '${pattern}'`,
  minLength: (path: string, n: number): string => `${path} in body should be at least ${n} chars long`,
  maxLength: (path: string, n: number): string => `${path} in body should be at most ${n} chars long`,
  /** `bound` is already rendered: as int64 for integer data, as float64 otherwise (see validation.ts). */
  minimum: (path: string, bound: string, exclusive: boolean): string => `${path} in body should be greater than ${exclusive ? '' : 'or equal to '}${bound}`,
  maximum: (path: string, bound: string, exclusive: boolean): string => `${path} in body should be less than ${exclusive ? '' : 'or equal to '}${bound}`,
  multipleOf: (path: string, factor: string): string => `${path} in body should be a multiple of ${factor}`,
  minItems: (path: string, n: number): string => `${path} in body should have at least ${n} items`,
  minProperties: (path: string, n: number): string => `${path} in body should have at least ${n} properties`,
  unique: (path: string): string => `${path} in body shouldn't contain duplicates`,
  forbiddenProperty: (path: string, key: string): string => `${path}.${key} in body is a forbidden property`,
  /** Not a *Validation: kube-openapi quotes the path here (%q). */
  anyOf: (path: string): string => `${goQuote(path)} must validate at least one schema (anyOf)`,
};

/** StrictDecodingError's text for the unknown field paths found while pruning. */
export function strictDecodingMessage(unknownFields: readonly string[]): string {
  return `strict decoding error: ${unknownFields.map((f) => `unknown field ${goQuote(f)}`).join(', ')}`;
}
