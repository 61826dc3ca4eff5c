/**
 * Rendered documents → the one Task and its companions, with valid names, our labels and one
 * namespace. Everything later (apply, get, patch, delete) addresses objects by ref, never by the
 * raw template (defect 4 of the original: `get/patch/delete -f template` broke on multi-doc files).
 *
 * Renamed companions: an invalid name is sanitised (names.ts) and the original kept in the
 * kubectl-task/original-name annotation. Every string VALUE in the manifest's documents (never a
 * key, never that annotation) that is EXACTLY a renamed companion's original name is rewritten to
 * the new name, so references such as `configMapKeyRef.name: MyTask-config` or a Task property
 * holding the name do not dangle. Substrings are left alone (`MyTask-config.yaml` is not a
 * reference), and so is an original name that another object keeps unchanged or that two
 * companions renamed differently: such a value is ambiguous.
 */
import createDebug from 'debug';
import { refOf } from '../kubectl/commands.ts';
import type { KubeObject, ObjectRef } from '../kubectl/types.ts';
import type { JsonObject, JsonValue } from '../json.ts';
import { ManifestError } from './errors.ts';
import { ANNOTATION_ORIGINAL_NAME, LABEL_MANAGED_BY, LABEL_NAME, LABEL_TASK_ID, MANAGED_BY_VALUE, TASK_API_VERSION, TASK_KIND } from './labels.ts';
import { isValidName, sanitizeLabelValue, sanitizeName } from './names.ts';
import { decideNamespace, isClusterScopedKind, type NamespaceSources } from './scope.ts';
import { isJsonObject } from '../json.ts';

const log = createDebug('kubectl-task:manifest');

export interface BuildManifestArgs {
  readonly documents: readonly (JsonObject | null | undefined)[];
  /** For error messages; defaults to `<manifest>`. */
  readonly file?: string;
  readonly taskId: string;
  /** Value of app.kubernetes.io/name; defaults to the Task's name. */
  readonly appName?: string;
  readonly namespace?: NamespaceSources;
}

export interface Manifest {
  readonly task: KubeObject;
  /** Every object except the Task, in input order. */
  readonly companions: KubeObject[];
  /** Every object, in input order (the Task where it was written). */
  readonly objects: KubeObject[];
  /** refOf(objects[i]) for each i. */
  readonly refs: ObjectRef[];
  readonly namespace: string;
  readonly taskRef: ObjectRef;
}

export function isTask(obj: { readonly apiVersion?: unknown; readonly kind?: unknown }): boolean {
  return obj.apiVersion === TASK_API_VERSION && obj.kind === TASK_KIND;
}

interface Indexed {
  readonly obj: KubeObject;
  /** 1-based position among the documents, for messages. */
  readonly index: number;
}

export function buildManifest(args: BuildManifestArgs): Manifest {
  const file = args.file ?? '<manifest>';
  const fail = (message: string): ManifestError => new ManifestError({ message: `${file}: ${message}`, file });
  const items: Indexed[] = [];
  args.documents.forEach((doc, i) => {
    if (doc === null || doc === undefined || Object.keys(doc).length === 0) return;
    items.push({ obj: toKubeObject(doc, i + 1, fail), index: i + 1 });
  });
  const describe = (it: Indexed): string => `document ${it.index} ${it.obj.kind}/${it.obj.metadata.name}`;

  const tasks = items.filter((it) => isTask(it.obj));
  const task = tasks[0];
  if (task === undefined) {
    const found = items.length === 0 ? 'no documents' : items.map((it) => `${describe(it)}${nearMiss(it.obj)}`).join(', ');
    throw fail(`no Task (${TASK_API_VERSION}) found; a manifest needs exactly one (found: ${found})`);
  }
  if (tasks.length > 1) {
    throw fail(`${tasks.length} Tasks found (${tasks.map(describe).join(', ')}); a manifest needs exactly one`);
  }
  for (const it of items) {
    if (isClusterScopedKind(it.obj.kind)) {
      throw fail(`${describe(it)} is cluster-scoped; a task must not create cluster-scoped objects`);
    }
  }

  const written = [...new Set(items.flatMap((it) => (it.obj.metadata.namespace ? [it.obj.metadata.namespace] : [])))];
  const decision = decideNamespace(written, args.namespace ?? {});
  if (decision.kind === 'conflict') throw fail(decision.message);
  const namespace = decision.namespace;
  if (!isValidName(namespace, 'label')) throw fail(`namespace "${namespace}" is not a valid DNS-1123 label`);

  const taskIdLabel = sanitizeLabelValue(args.taskId);
  if (taskIdLabel === '') throw fail('the task id must not be empty');
  const renames = items.map((it) => ({ it, original: it.obj.metadata.name, renamed: sanitizeObjectName(it.obj) }));
  rewriteReferences(
    items.map((it) => it.obj),
    renames.filter((r) => r.it !== task).map((r) => ({ original: r.original, name: r.renamed })),
  );
  for (const r of renames) {
    if (r.renamed === r.original) continue;
    r.it.obj.metadata.annotations = { ...(r.it.obj.metadata.annotations ?? {}), [ANNOTATION_ORIGINAL_NAME]: r.original };
  }
  const appLabel = sanitizeLabelValue(args.appName ?? task.obj.metadata.name);
  for (const it of items) {
    it.obj.metadata.namespace = namespace;
    it.obj.metadata.labels = {
      ...(it.obj.metadata.labels ?? {}),
      [LABEL_MANAGED_BY]: MANAGED_BY_VALUE,
      [LABEL_NAME]: appLabel,
      [LABEL_TASK_ID]: taskIdLabel,
    };
  }
  const seen = new Map<string, Indexed>();
  for (const it of items) {
    const key = `${it.obj.apiVersion.split('/')[0]}|${it.obj.kind}|${it.obj.metadata.name}`;
    const prior = seen.get(key);
    if (prior !== undefined) throw fail(`${describe(prior)} and ${describe(it)} name the same object`);
    seen.set(key, it);
  }

  const objects = items.map((it) => it.obj);
  const manifest: Manifest = {
    task: task.obj,
    companions: items.filter((it) => it !== task).map((it) => it.obj),
    objects,
    refs: objects.map(refOf),
    namespace,
    taskRef: refOf(task.obj),
  };
  log('%s: task %s/%s with %d companion(s)', file, namespace, task.obj.metadata.name, manifest.companions.length);
  return manifest;
}

function toKubeObject(doc: JsonObject, index: number, fail: (m: string) => ManifestError): KubeObject {
  const kind = typeof doc['kind'] === 'string' && doc['kind'] !== '' ? doc['kind'] : undefined;
  const where = `document ${index} (${kind ?? 'no kind'})`;
  const apiVersion = doc['apiVersion'];
  if (typeof apiVersion !== 'string' || apiVersion === '') throw fail(`${where}: missing apiVersion`);
  if (kind === undefined) throw fail(`${where}: missing kind`);
  const metadata = doc['metadata'];
  if (!isJsonObject(metadata)) throw fail(`${where}: missing metadata`);
  const name = metadata['name'];
  if (name !== undefined && typeof name !== 'string') {
    // `name: ${TASK_NAME}` with TASK_NAME=123 (or true, null) is typed by YAML, not a string.
    const got = name === null ? 'null' : Array.isArray(name) ? 'a list' : isJsonObject(name) ? 'a map' : `${typeof name} ${String(name)}`;
    throw fail(`${where}: metadata.name must be a string, got ${got} (quote the placeholder, e.g. name: "\${TASK_NAME}")`);
  }
  if (name === undefined || name === '') throw fail(`${where}: missing metadata.name`);
  const namespace = metadata['namespace'];
  if (namespace !== undefined && namespace !== null && typeof namespace !== 'string') {
    throw fail(`${where}: metadata.namespace must be a string`);
  }
  const labels = stringMap(metadata['labels'], `${where}: metadata.labels`, fail);
  const annotations = stringMap(metadata['annotations'], `${where}: metadata.annotations`, fail);
  const copy = structuredClone(doc);
  const meta: KubeObject['metadata'] = { ...structuredClone(metadata), name };
  if (typeof namespace === 'string' && namespace !== '') meta.namespace = namespace;
  else delete meta.namespace;
  if (labels !== undefined) meta.labels = labels;
  if (annotations !== undefined) meta.annotations = annotations;
  return { ...copy, apiVersion, kind, metadata: meta };
}

/** For the no-Task error: what keeps an object that looks like a Task from being one. */
function nearMiss(obj: KubeObject): string {
  const group = TASK_API_VERSION.split('/')[0] ?? '';
  if (obj.kind === TASK_KIND) return ` (apiVersion ${obj.apiVersion}, not ${TASK_API_VERSION})`;
  if (obj.kind.toLowerCase() === TASK_KIND.toLowerCase() || obj.apiVersion.split('/')[0] === group) {
    return ` (kind ${obj.kind} of ${obj.apiVersion}, not ${TASK_KIND})`;
  }
  return '';
}

/** Returns the (possibly new) name. */
function sanitizeObjectName(obj: KubeObject): string {
  const original = obj.metadata.name;
  const name = sanitizeName(original, { style: obj.kind === 'Service' ? 'dns1035' : 'subdomain' });
  if (name === original) return name;
  obj.metadata.name = name;
  log('%s name %j sanitised to %s', obj.kind, original, name);
  return name;
}

/** See the module header: exact-match rewriting of renamed companions' original names. */
function rewriteReferences(objects: readonly KubeObject[], names: readonly { readonly original: string; readonly name: string }[]): void {
  const kept = new Set(names.filter((n) => n.original === n.name).map((n) => n.original));
  for (const obj of objects) kept.add(obj.metadata.name);
  const targets = new Map<string, Set<string>>();
  for (const n of names) {
    if (n.original === n.name) continue;
    targets.set(n.original, (targets.get(n.original) ?? new Set()).add(n.name));
  }
  const map = new Map<string, string>();
  for (const [original, news] of targets) {
    const [only] = news;
    if (news.size === 1 && only !== undefined && !kept.has(original)) map.set(original, only);
  }
  if (map.size === 0) return;
  const rewrite = (value: JsonValue): JsonValue => {
    if (typeof value === 'string') return map.get(value) ?? value;
    if (Array.isArray(value)) return value.map(rewrite);
    if (isJsonObject(value)) {
      for (const [k, v] of Object.entries(value)) value[k] = rewrite(v);
    }
    return value;
  };
  for (const obj of objects) {
    for (const [k, v] of Object.entries(obj)) {
      if (k !== 'metadata' && v !== undefined) obj[k] = rewrite(v as JsonValue);
    }
    const { labels, annotations } = obj.metadata;
    for (const section of [labels, annotations]) {
      if (section === undefined) continue;
      for (const [k, v] of Object.entries(section)) section[k] = map.get(v) ?? v;
    }
  }
}

function stringMap(value: JsonValue | undefined, where: string, fail: (m: string) => ManifestError): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw fail(`${where} must be a map of strings`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    // `version: ${V}` with V=2 renders as a number; label values are strings, so say it back as one.
    if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else if (typeof v === 'string') out[k] = v;
    else throw fail(`${where}.${k} must be a string`);
  }
  return out;
}
