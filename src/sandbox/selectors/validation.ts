/** Label key/value syntax checks of selectors, worded as apimachinery words them (see core/names.ts). */
import { goQuote } from '../core/go-format.ts';
import { isQualifiedName, isValidLabelValue } from '../core/names.ts';

/** A selector the apiserver would reject; `message` is its wording (answered with 400 BadRequest). */
export class SelectorError extends Error {
  override name = 'SelectorError';
}

/** `Invalid value: "k": ...` for a label key that is not a qualified name (field path left to the caller). */
export function labelKeyErrors(key: string): string | undefined {
  const errs = isQualifiedName(key);
  return errs.length > 0 ? `Invalid value: ${goQuote(key)}: ${errs.join('; ')}` : undefined;
}

/** `Invalid value: "v": ...` for a label value validation.IsValidLabelValue refuses. */
export function labelValueErrors(value: string): string | undefined {
  const errs = isValidLabelValue(value);
  return errs.length > 0 ? `Invalid value: ${goQuote(value)}: ${errs.join('; ')}` : undefined;
}
