/**
 * The in-tree printers for RBAC kinds: Role/ClusterRole print `NAME CREATED AT`, bindings print
 * `NAME ROLE AGE` plus the wide USERS GROUPS SERVICEACCOUNTS (rbac.SubjectsStrings).
 */
import type { JsonObject, JsonValue } from '../../json.ts';
import { isJsonObject } from '../../json.ts';
import { str } from '../core/objects.ts';
import { ageSince } from './age.ts';
import type { PrinterColumn } from './table.ts';

const ROLE_REF_DESCRIPTION =
  'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the ' +
  'Authorizer must return an error.';

type Describe = { name: PrinterColumn; age: PrinterColumn; createdDescription: string };

function bindingColumns(d: Describe, what: string): PrinterColumn[] {
  const wide = (name: string, description: string): PrinterColumn => ({ name, type: 'string', priority: 1, description, jsonPath: '' });
  return [
    d.name,
    { name: 'Role', type: 'string', description: ROLE_REF_DESCRIPTION, jsonPath: '' },
    d.age,
    wide('Users', `Users in the ${what}`),
    wide('Groups', `Groups in the ${what}`),
    wide('ServiceAccounts', `ServiceAccounts in the ${what}`),
  ];
}

export function rbacColumns(resource: string, d: Describe): PrinterColumn[] | undefined {
  switch (resource) {
    case 'roles':
    case 'clusterroles':
      return [d.name, { name: 'Created At', type: 'date', description: d.createdDescription, jsonPath: '' }];
    case 'rolebindings':
      return bindingColumns(d, 'roleBinding');
    case 'clusterrolebindings':
      return bindingColumns(d, 'clusterRoleBinding');
    default:
      return undefined;
  }
}

/** rbac.SubjectsStrings: users, groups and `namespace/name` service accounts, each joined by ", ". */
function subjects(binding: JsonObject): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of Array.isArray(binding['subjects']) ? binding['subjects'] : []) {
    if (!isJsonObject(s)) continue;
    if (s['kind'] === 'User') users.push(str(s['name']));
    else if (s['kind'] === 'Group') groups.push(str(s['name']));
    else if (s['kind'] === 'ServiceAccount') sas.push(`${str(s['namespace'])}/${str(s['name'])}`);
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

/** RFC 3339 in UTC, as metav1.Time prints with time.RFC3339. */
function createdAt(v: JsonValue | undefined): string {
  const t = Date.parse(str(v));
  return Number.isNaN(t) ? '0001-01-01T00:00:00Z' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function rbacCells(resource: string, o: JsonObject, now: Date): JsonValue[] | undefined {
  const meta = isJsonObject(o['metadata']) ? o['metadata'] : {};
  const name = str(meta['name']);
  switch (resource) {
    case 'roles':
    case 'clusterroles':
      return [name, createdAt(meta['creationTimestamp'])];
    case 'rolebindings':
    case 'clusterrolebindings': {
      const ref = isJsonObject(o['roleRef']) ? o['roleRef'] : {};
      return [name, `${str(ref['kind'])}/${str(ref['name'])}`, ageSince(meta['creationTimestamp'], now), ...subjects(o)];
    }
    default:
      return undefined;
  }
}
