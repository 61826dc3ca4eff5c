/**
 * k8s.io/apimachinery's field.Error as a StatusCause: the reasons, the "Invalid value: <v>: <detail>"
 * sentences and field.Error.ErrorBody's rendering of the bad value.
 */
import type { JsonValue } from '../../json.ts';
import { goNumber, goQuote, goSyntax } from './go-format.ts';

/** The apiserver's StatusCause. */
export interface FieldCause {
  reason: string;
  message: string;
  field: string;
}

/** field.Error.ErrorBody's rendering of the bad value. */
export function badValue(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return goQuote('null');
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  return goSyntax(v);
}

export function required(field: string): FieldCause {
  return { reason: 'FieldValueRequired', message: 'Required value', field };
}

export function notSupported(field: string, value: JsonValue | undefined, allowed: JsonValue[]): FieldCause {
  const quoted = allowed.map((a) => goQuote(typeof a === 'string' ? a : JSON.stringify(a)));
  const detail = quoted.length > 0 ? `: supported values: ${quoted.join(', ')}` : '';
  return { reason: 'FieldValueNotSupported', message: `Unsupported value: ${badValue(value)}${detail}`, field };
}

export function typeInvalid(field: string, value: JsonValue | undefined, detail: string): FieldCause {
  return { reason: 'FieldValueTypeInvalid', message: `Invalid value: ${badValue(value)}: ${detail}`, field };
}

export function invalid(field: string, value: JsonValue | undefined, detail: string): FieldCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${badValue(value)}: ${detail}`, field };
}

export function tooLong(field: string, maxLength: number): FieldCause {
  return { reason: 'FieldValueTooLong', message: `Too long: may not be longer than ${maxLength}`, field };
}

export function tooMany(field: string, actual: number, max: number): FieldCause {
  return { reason: 'FieldValueTooMany', message: `Too many: ${actual}: must have at most ${max} items`, field };
}
