/**
 * meta.k8s.io/v1 Table responses (what `kubectl get` asks for with
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), built like the apiserver's three
 * table convertors:
 * - custom resources (columns = the CRD version's additionalPrinterColumns, `[]` when it has none):
 *   Name first, then each column evaluated by JSONPath (a missing value is a null cell, which
 *   kubectl prints empty; date columns hold the age the server computed from `now`); an empty
 *   list gets the implicit Age column;
 * - built-in kinds with an in-tree printer (namespaces, configmaps, secrets, services,
 *   serviceaccounts, pods): pass `columns: builtinColumns(resource)` and `resource`, and the
 *   printer's computed cells are used (DATA = number of keys, AGE rendered by the server, ...);
 * - `'default'`: Name + Created At (RFC 3339), the generic convertor.
 * `cells` overrides the cell computation entirely when given.
 */
import type { JsonObject, JsonValue } from '../../json.ts';
import { humanDuration } from './age.ts';
import { builtinCellsFor, builtinColumnsFor } from './builtin.ts';
import { goNumber } from '../core/go-format.ts';
import { evaluateJsonPath } from './jsonpath.ts';
import { isJsonObject } from '../../json.ts';
import { CREATED_DESCRIPTION, NAME_DESCRIPTION } from './builtin-columns.ts';

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export { humanDuration } from './age.ts';

const meta = (o: JsonObject): JsonObject => (isJsonObject(o['metadata']) ? o['metadata'] : {});

const NAME_COLUMN: PrinterColumn = { name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, jsonPath: '.metadata.name' };
const DEFAULT_COLUMNS: PrinterColumn[] = [
  NAME_COLUMN,
  { name: 'Created At', type: 'date', description: CREATED_DESCRIPTION, jsonPath: '.metadata.creationTimestamp' },
];

/** The in-tree printer's columns for a built-in resource, or 'default' when it has none. */
export function builtinColumns(resource: string): PrinterColumn[] | 'default' {
  return builtinColumnsFor(resource) ?? 'default';
}

/** The in-tree printer's cells for one object (the default convertor's for unknown resources). */
export function builtinCells(resource: string, obj: JsonObject, now: Date): JsonValue[] {
  return builtinCellsFor(resource, obj, now) ?? defaultCells(obj);
}

/** time.Time.UTC().Format(time.RFC3339); the zero time when unset. */
function rfc3339(v: JsonValue | undefined): string {
  const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(t)) return '0001-01-01T00:00:00Z';
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function defaultCells(o: JsonObject): JsonValue[] {
  const m = meta(o);
  return [typeof m['name'] === 'string' ? m['name'] : '', rfc3339(m['creationTimestamp'])];
}

/** The CRD tableconvertor's cellForJSONValue (string columns print the JSONPath result as text). */
function crdCell(column: PrinterColumn, value: JsonValue | undefined, now: Date): JsonValue {
  if (value === undefined || value === null) return null;
  switch (column.type) {
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number') return goNumber(value);
      return typeof value === 'boolean' ? String(value) : JSON.stringify(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const t = Date.parse(value);
      if (Number.isNaN(t)) return '<invalid>';
      return humanDuration(now.getTime() - t);
    }
    default:
      return null;
  }
}

function crdColumns(columns: PrinterColumn[]): PrinterColumn[] {
  const extra = columns.length > 0 ? columns : [{ name: 'Age', type: 'date', description: CREATED_DESCRIPTION, jsonPath: '.metadata.creationTimestamp' }];
  return [NAME_COLUMN, ...extra.map((c) => ({ ...c, description: c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}` }))];
}

function rowObject(o: JsonObject, includeObject: 'None' | 'Metadata' | 'Object'): JsonValue {
  switch (includeObject) {
    case 'None':
      return null;
    case 'Object':
      return o;
    case 'Metadata':
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: meta(o) };
  }
}

export function toTable(args: {
  objects: JsonObject[];
  columns: PrinterColumn[] | 'default';
  now: Date;
  includeObject: 'None' | 'Metadata' | 'Object';
  resourceVersion: string;
  continueToken?: string;
  /** The built-in resource (e.g. 'configmaps') whose in-tree printer computes the cells. */
  resource?: string;
  /** Overrides every other way of computing a row's cells. */
  cells?: (obj: JsonObject) => JsonValue[];
}): JsonObject {
  const { now } = args;
  let columns: PrinterColumn[];
  let cellsOf: (o: JsonObject) => JsonValue[];
  const builtin = args.resource !== undefined ? builtinColumnsFor(args.resource) : undefined;
  if (args.columns === 'default') {
    columns = DEFAULT_COLUMNS;
    cellsOf = defaultCells;
  } else if (builtin !== undefined && args.resource !== undefined) {
    const resource = args.resource;
    columns = args.columns;
    cellsOf = (o) => builtinCells(resource, o, now);
  } else {
    columns = crdColumns(args.columns);
    const extra = columns.slice(1);
    cellsOf = (o) => [defaultCells(o)[0] ?? '', ...extra.map((c) => crdCell(c, evaluateJsonPath(o, c.jsonPath), now))];
  }
  if (args.cells) cellsOf = args.cells;
  const metadata: JsonObject = {};
  if (args.resourceVersion !== '') metadata['resourceVersion'] = args.resourceVersion;
  if (args.continueToken !== undefined && args.continueToken !== '') metadata['continue'] = args.continueToken;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description ?? '',
      priority: c.priority ?? 0,
    })),
    rows: args.objects.map((o) => ({ cells: cellsOf(o), object: rowObject(o, args.includeObject) })),
  };
}
