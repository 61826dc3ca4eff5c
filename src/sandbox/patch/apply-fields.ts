/**
 * Field sets for server-side apply, in the fieldsV1 vocabulary (`f:name`, `k:{"name":"x"}`,
 * `v:"value"`): extraction from an object, conversion to/from fieldsV1, and path operations.
 */
import type { JsonObject, JsonValue } from '../../json.ts';
import { canonicalJson } from '../core/objects.ts';
import type { FieldMeta } from './strategic-meta.ts';
import { isJsonObject } from '../../json.ts';

/** One path: fieldsV1 tokens joined by SEP. */
export const SEP = '\u0000';

/** Never owned: identity and bookkeeping fields of metadata, and the type fields. */
export const STRIPPED_METADATA: ReadonlySet<string> = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

export const keyToken = (item: JsonObject, mergeKey: string): string => `k:${canonicalJson({ [mergeKey]: item[mergeKey] ?? null })}`;

/** Every owned path of `obj` with the value there (null for list-item nodes). */
export function leavesOf(obj: JsonObject, meta: FieldMeta | undefined): Map<string, JsonValue> {
  const out = new Map<string, JsonValue>();
  const join = (prefix: string, token: string): string => (prefix === '' ? token : `${prefix}${SEP}${token}`);
  const walkValue = (v: JsonValue, m: FieldMeta | undefined, path: string): void => {
    if (isJsonObject(v)) {
      if (Object.keys(v).length === 0) out.set(path, v);
      else walkMap(v, m, path, false);
    } else if (Array.isArray(v) && m?.list) {
      const list = m.list;
      for (const item of v) {
        if (list.mergeKey !== undefined && isJsonObject(item)) {
          const p = join(path, keyToken(item, list.mergeKey));
          out.set(p, null);
          walkMap(item, list.item, p, false);
        } else out.set(join(path, `v:${canonicalJson(item)}`), item);
      }
      if (v.length === 0) out.set(path, v);
    } else out.set(path, v);
  };
  const walkMap = (o: JsonObject, m: FieldMeta | undefined, path: string, root: boolean): void => {
    for (const [k, v] of Object.entries(o)) {
      if (root && (k === 'apiVersion' || k === 'kind')) continue;
      const p = join(path, `f:${k}`);
      if (root && k === 'metadata' && isJsonObject(v)) {
        for (const [mk, mv] of Object.entries(v)) {
          if (!STRIPPED_METADATA.has(mk)) walkValue(mv, m?.fields?.['metadata']?.fields?.[mk], join(p, `f:${mk}`));
        }
        continue;
      }
      walkValue(v, m?.fields?.[k], p);
    }
  };
  walkMap(obj, meta, '', true);
  return out;
}

/** fieldsV1 → set of paths (a node with "." or without children is itself a member). */
export function fieldsToPaths(fields: JsonValue | undefined): Set<string> {
  const out = new Set<string>();
  const walk = (node: JsonObject, prefix: string): void => {
    for (const [k, v] of Object.entries(node)) {
      if (k === '.') continue;
      const p = prefix === '' ? k : `${prefix}${SEP}${k}`;
      const children = isJsonObject(v) ? Object.keys(v).filter((c) => c !== '.') : [];
      if (children.length === 0 || (isJsonObject(v) && Object.hasOwn(v, '.'))) out.add(p);
      if (isJsonObject(v)) walk(v, p);
    }
  };
  if (isJsonObject(fields)) walk(fields, '');
  return out;
}

/** Set of paths → fieldsV1, keys sorted, "." on members that also have children. */
export function pathsToFields(paths: Iterable<string>): JsonObject {
  const members = new Set(paths);
  const root: JsonObject = {};
  for (const p of members) {
    let node = root;
    for (const part of p.split(SEP)) {
      const next = node[part];
      if (isJsonObject(next)) node = next;
      else {
        const child: JsonObject = {};
        node[part] = child;
        node = child;
      }
    }
  }
  const finish = (node: JsonObject, prefix: string): JsonObject => {
    const out: JsonObject = {};
    const keys = Object.keys(node).sort();
    const hasChildren = keys.length > 0;
    if (hasChildren && prefix !== '' && members.has(prefix)) out['.'] = {};
    for (const k of keys) out[k] = finish(node[k] as JsonObject, prefix === '' ? k : `${prefix}${SEP}${k}`);
    return out;
  };
  return finish(root, '');
}

/** The apiserver's rendering of a path in conflict messages: `.spec.state`, `.spec.ports[port=80]`. */
export function pathString(path: string): string {
  return path
    .split(SEP)
    .map((t) => {
      if (t.startsWith('f:')) return `.${t.slice(2)}`;
      if (t.startsWith('k:')) {
        const key = JSON.parse(t.slice(2)) as JsonObject;
        return `[${Object.entries(key)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',')}]`;
      }
      return `[=${t.slice(2)}]`;
    })
    .join('');
}

/** Removes the field, list item or set value at `path` from obj (in place). */
export function removePath(obj: JsonObject, path: string): void {
  const tokens = path.split(SEP);
  let parent: JsonValue | undefined = obj;
  for (let i = 0; i < tokens.length - 1; i++) parent = step(parent, tokens[i] ?? '');
  const last = tokens[tokens.length - 1] ?? '';
  if (isJsonObject(parent) && last.startsWith('f:')) delete parent[last.slice(2)];
  else if (Array.isArray(parent)) {
    const at = parent.findIndex((item) => matches(item, last));
    if (at >= 0) parent.splice(at, 1);
  }
}

function matches(item: JsonValue, token: string): boolean {
  if (token.startsWith('v:')) return canonicalJson(item) === token.slice(2);
  if (!token.startsWith('k:') || !isJsonObject(item)) return false;
  const key = JSON.parse(token.slice(2)) as JsonObject;
  return Object.entries(key).every(([k, v]) => canonicalJson(item[k] ?? null) === canonicalJson(v));
}

function step(node: JsonValue | undefined, token: string): JsonValue | undefined {
  if (token.startsWith('f:')) return isJsonObject(node) ? node[token.slice(2)] : undefined;
  return Array.isArray(node) ? node.find((item) => matches(item, token)) : undefined;
}
