/**
 * Object names as 1.26 validates them: the DNS label and subdomain checks of
 * k8s.io/apimachinery/pkg/util/validation and each type's ValidateNameFunc.
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

/** validation.RegexError's sentence. */
const regexError = (msg: string, fmt: string, ...examples: string[]): string =>
  `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;

/** An IsDNS1123Label / IsDNS1123Subdomain / IsDNS1035Label check: a length and a pattern error, each on its own. */
function dnsName(max: number, fmt: string, msg: string, ...examples: string[]): (name: string) => string[] {
  const re = new RegExp(`^${fmt}$`);
  return (name) => [
    ...(Buffer.byteLength(name) > max ? [`must be no more than ${max} characters`] : []),
    ...(re.test(name) ? [] : [regexError(msg, fmt, ...examples)]),
  ];
}

export const DNS1123_LABEL = dnsName(63, LABEL_FMT, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", 'my-name', '123-abc');
export const DNS1123_SUBDOMAIN = dnsName(253, SUBDOMAIN_FMT, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", 'example.com');
export const DNS1035_LABEL = dnsName(63, DNS1035_FMT, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", 'my-name', 'abc-123');

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
    for (const e of nameErrors(t, generateName, true)) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${goQuote(generateName)}: ${e}`, field: 'metadata.generateName' });
  }
  if (name === '') {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' });
    return causes;
  }
  for (const e of nameErrors(t, name, false)) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${goQuote(name)}: ${e}`, field: 'metadata.name' });
  return causes;
}
