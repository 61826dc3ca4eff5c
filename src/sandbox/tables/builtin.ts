/**
 * The in-tree printers (pkg/printers/internalversion) for the built-in kinds the sandbox serves:
 * the cells they compute (their column definitions are the data of builtin-columns.ts). The apiserver prints with Wide=true, so
 * priority-1 cells are always present; kubectl hides them unless `-o wide`.
 */
import type { JsonObject, JsonValue } from '../../json.ts';
import type { PrinterColumn } from './table.ts';
import { obj, str } from '../core/objects.ts';
import { ageSince } from './age.ts';
import { rbacCells, rbacColumns } from './rbac.ts';
import { AGE, COLUMNS, CREATED_DESCRIPTION, NAME } from './builtin-columns.ts';
import { isJsonObject } from '../../json.ts';

const list = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);
const count = (v: JsonValue | undefined): number => (isJsonObject(v) ? Object.keys(v).length : 0);

export function builtinColumnsFor(resource: string): PrinterColumn[] | undefined {
  return COLUMNS[resource] ?? rbacColumns(resource, { name: NAME, age: AGE, createdDescription: CREATED_DESCRIPTION });
}

/** labels.FormatLabels: sorted k=v joined by commas, `<none>` when empty. */
function formatLabels(v: JsonValue | undefined): string {
  const m = obj(v);
  const keys = Object.keys(m).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${str(m[k])}`).join(',');
}

function servicePorts(spec: JsonObject): string {
  const ports = list(spec['ports']).map((p) => {
    const o = obj(p);
    const protocol = str(o['protocol'], 'TCP');
    const nodePort = typeof o['nodePort'] === 'number' && o['nodePort'] > 0 ? `:${o['nodePort']}` : '';
    return `${String(o['port'])}${nodePort}/${protocol}`;
  });
  return ports.length === 0 ? '<none>' : ports.join(',');
}

function serviceExternalIp(svc: JsonObject, type: string): string {
  const spec = obj(svc['spec']);
  const external = list(spec['externalIPs']).map((v) => str(v));
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = list(obj(obj(svc['status'])['loadBalancer'])['ingress']).map((i) => str(obj(i)['ip']) || str(obj(i)['hostname']));
      const all = [...external, ...ingress.filter((i) => i !== '')];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(spec['externalName']);
    default:
      return '<unknown>';
  }
}

/** The cells the in-tree printer computes for `resource`, or undefined for kinds without one. */
export function builtinCellsFor(resource: string, o: JsonObject, now: Date): JsonValue[] | undefined {
  const meta = obj(o['metadata']);
  const name = str(meta['name']);
  const age = ageSince(meta['creationTimestamp'], now);
  switch (resource) {
    case 'namespaces':
      return [name, str(obj(o['status'])['phase']), age];
    case 'configmaps':
      return [name, count(o['data']) + count(o['binaryData']), age];
    case 'secrets':
      return [name, str(o['type']), count(o['data']), age];
    case 'serviceaccounts':
      return [name, list(o['secrets']).length, age];
    case 'services': {
      const spec = obj(o['spec']);
      const type = str(spec['type'], 'ClusterIP');
      const clusterIp = str(list(spec['clusterIPs'])[0], str(spec['clusterIP'], '<none>')) || '<none>';
      return [name, type, clusterIp, serviceExternalIp(o, type), servicePorts(spec), age, formatLabels(spec['selector'])];
    }
    case 'pods': {
      const spec = obj(o['spec']);
      const status = obj(o['status']);
      const containers = list(spec['containers']);
      const statuses = list(status['containerStatuses']).map(obj);
      const ready = statuses.filter((s) => s['ready'] === true).length;
      const restarts = statuses.reduce((n, s) => n + (typeof s['restartCount'] === 'number' ? s['restartCount'] : 0), 0);
      const gates = list(spec['readinessGates']).length;
      return [
        name,
        `${ready}/${containers.length}`,
        str(status['reason'], str(status['phase'], 'Pending')),
        String(restarts),
        age,
        str(status['podIP'], '<none>') || '<none>',
        str(spec['nodeName'], '<none>') || '<none>',
        str(status['nominatedNodeName'], '<none>') || '<none>',
        gates === 0 ? '<none>' : `0/${gates}`,
      ];
    }
    default:
      return rbacCells(resource, o, now);
  }
}
