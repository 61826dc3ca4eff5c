/**
 * Rendered documents → the one Task and its companions, with valid names, our labels and one
 * namespace. Everything later (apply, get, patch, delete) addresses objects by ref, never by the
 * raw template (defect 4 of the original: `get/patch/delete -f template` broke on multi-doc files).
 */
import createDebug from 'debug';
import type { JsonObject, JsonValue, KubeObject, ObjectRef } from '../kubectl/types.ts';
import { ManifestError } from './errors.ts';
import {
  ANNOTATION_ORIGINAL_NAME,
  LABEL_MANAGED_BY,
  LABEL_NAME,
  LABEL_TASK_ID,
  MANAGED_BY_VALUE,
  TASK_API_VERSION,
  TASK_KIND,
} from './labels.ts';
import { isValidName, sanitizeLabelValue, sanitizeName } from './names.ts';
import { decideNamespace, isClusterScopedKind, type NamespaceSources } from './scope.ts';
import { isJsonObject as isObject } from '../kubectl/types.ts';

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

export function refOf(obj: KubeObject): ObjectRef {
  const ns = obj.metadata.namespace;
  return ns === undefined
    ? { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name }
    : { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: ns };
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
    const found = items.length === 0 ? 'no documents' : items.map(describe).join(', ');
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
  for (const it of items) sanitizeObjectName(it.obj);
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
  if (!isObject(metadata)) throw fail(`${where}: missing metadata`);
  const name = metadata['name'];
  if (typeof name !== 'string' || name === '') throw fail(`${where}: missing metadata.name`);
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

function sanitizeObjectName(obj: KubeObject): void {
  const original = obj.metadata.name;
  const name = sanitizeName(original, { style: obj.kind === 'Service' ? 'dns1035' : 'subdomain' });
  if (name === original) return;
  obj.metadata.name = name;
  obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [ANNOTATION_ORIGINAL_NAME]: original };
  log('%s name %j sanitised to %s', obj.kind, original, name);
}

function stringMap(
  value: JsonValue | undefined,
  where: string,
  fail: (m: string) => ManifestError,
): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw fail(`${where} must be a map of strings`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    // `version: ${V}` with V=2 renders as a number; label values are strings, so say it back as one.
    if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else if (typeof v === 'string') out[k] = v;
    else throw fail(`${where}.${k} must be a string`);
  }
  return out;
}
