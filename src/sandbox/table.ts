/**
 * meta.k8s.io/v1 Table responses (what `kubectl get` asks for with
 * Accept: application/json;as=Table;v=v1;g=meta.k8s.io).
 */
import type { JsonObject, JsonValue } from '../kubectl/types.ts';

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function lookup(obj: JsonObject, jsonPath: string): JsonValue | undefined {
  let cur: JsonValue | undefined = obj;
  for (const part of jsonPath.replace(/^\./, '').split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

export function builtinColumns(_resource: string): PrinterColumn[] | 'default' {
  return 'default';
}

export function builtinCells(_resource: string, _obj: JsonObject, _now: Date): JsonValue[] | undefined {
  return undefined;
}

export function toTable(args: {
  objects: JsonObject[];
  columns: PrinterColumn[] | 'default';
  now: Date;
  includeObject: 'None' | 'Metadata' | 'Object';
  resourceVersion: string;
  continueToken?: string;
  cells?: (obj: JsonObject) => JsonValue[];
}): JsonObject {
  const columns: PrinterColumn[] =
    args.columns === 'default'
      ? [
          { name: 'Name', type: 'string', format: 'name', jsonPath: '.metadata.name' },
          { name: 'Created At', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ]
      : args.columns;
  const rows: JsonValue[] = args.objects.map((o) => ({
    cells: args.cells ? args.cells(o) : columns.map((c) => lookup(o, c.jsonPath) ?? null),
    object: o,
  }));
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: args.resourceVersion },
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description ?? '',
      priority: c.priority ?? 0,
    })),
    rows,
  };
}
