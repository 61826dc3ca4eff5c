/**
 * Names as 1.26 validates them (k8s.io/apimachinery/pkg/util/validation): DNS labels and
 * subdomains, qualified names (label and annotation keys), label values, and each type's
 * ValidateNameFunc for object names.
 */
import type { FieldCause } from './field.ts';
import { goQuote } from './go-format.ts';

/** What picks a type's ValidateNameFunc. */
export interface NamedType {
  group: string;
  resource: string;
}

const LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN_FMT = `${LABEL_FMT}(\\.${LABEL_FMT})*`;
const DNS1035_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const SUBDOMAIN = new RegExp(`^${SUBDOMAIN_FMT}$`);
const QUALIFIED_NAME = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const LABEL_VALUE = new RegExp(`^(${QUALIFIED_NAME_FMT})?$`);

const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** validation.RegexError: `msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')`. */
const regexError = (msg: string, fmt: string, ...examples: string[]): string =>
  `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;

const maxLen = (n: number): string => `must be no more than ${n} characters`;

/** An IsDNS1123Label / IsDNS1123Subdomain / IsDNS1035Label check: a length and a pattern error, each on its own. */
function dnsName(max: number, fmt: string, msg: string, ...examples: string[]): (name: string) => string[] {
  const re = new RegExp(`^${fmt}$`);
  return (name) => [...(Buffer.byteLength(name) > max ? [maxLen(max)] : []), ...(re.test(name) ? [] : [regexError(msg, fmt, ...examples)])];
}

export const DNS1123_LABEL = dnsName(63, LABEL_FMT, DNS1123_LABEL_MSG, 'my-name', '123-abc');
export const DNS1123_SUBDOMAIN = dnsName(253, SUBDOMAIN_FMT, SUBDOMAIN_MSG, 'example.com');
export const DNS1035_LABEL = dnsName(63, DNS1035_FMT, DNS1035_MSG, 'my-name', 'abc-123');

/** validation.IsQualifiedName (label keys, annotation keys): an optional DNS subdomain prefix and '/', then the name. */
export function isQualifiedName(value: string): string[] {
  const parts = value.split('/');
  if (parts.length > 2) {
    const names = regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc');
    return [`a qualified name ${names} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const errs: string[] = [];
  const [first = '', second = ''] = parts;
  const name = parts.length === 2 ? second : first;
  if (parts.length === 2) {
    const prefix = first;
    if (prefix === '') errs.push('prefix part must be non-empty');
    else {
      if (prefix.length > 253) errs.push(`prefix part ${maxLen(253)}`);
      if (!SUBDOMAIN.test(prefix)) errs.push(`prefix part ${regexError(SUBDOMAIN_MSG, SUBDOMAIN_FMT, 'example.com')}`);
    }
  }
  if (name === '') errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLen(63)}`);
  // IsQualifiedName checks the pattern even on an empty name.
  if (!QUALIFIED_NAME.test(name)) errs.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** validation.IsValidLabelValue. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!LABEL_VALUE.test(value)) errs.push(regexError(LABEL_VALUE_MSG, `(${QUALIFIED_NAME_FMT})?`, 'MyValue', 'my_value', '12345'));
  return errs;
}

/** path.IsValidPathSegmentName (RBAC objects): only '.', '..', '/' and '%' are out. */
function pathSegmentName(name: string, prefix: boolean): string[] {
  if (!prefix && (name === '.' || name === '..')) return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

/** maskTrailingDash: a generateName may end in '-' (a suffix follows). */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

/** The ValidateNameFunc of each type: namespaces are DNS labels, services DNS-1035 labels, RBAC path segments. */
function nameErrors(t: NamedType, name: string, prefix: boolean): string[] {
  if (t.group === 'rbac.authorization.k8s.io') return pathSegmentName(name, prefix);
  const n = prefix ? maskTrailingDash(name) : name;
  if (t.group === '' && t.resource === 'namespaces') return DNS1123_LABEL(n);
  if (t.group === '' && t.resource === 'services') return DNS1035_LABEL(n);
  return DNS1123_SUBDOMAIN(n);
}

/** ValidateObjectMetaAccessor's name checks: generateName, then the name, one cause per problem. */
export function nameCauses(t: NamedType, name: string, generateName = ''): FieldCause[] {
  const causes: FieldCause[] = [];
  if (generateName !== '') {
    for (const e of nameErrors(t, generateName, true)) {
      causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${goQuote(generateName)}: ${e}`, field: 'metadata.generateName' });
    }
  }
  if (name === '') {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' });
    return causes;
  }
  for (const e of nameErrors(t, name, false)) {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${goQuote(name)}: ${e}`, field: 'metadata.name' });
  }
  return causes;
}
