/**
 * Typed kubectl operations: the only place that knows the argv of apply/get/patch/delete. Objects are
 * addressed by fully qualified resource (`task.v1alpha1.aliecs.alice.cern/t1`), never by `-f <file>`,
 * so a multi-document manifest cannot make a patch or delete hit companion objects (upstream defect 4).
 */
import { commandLabel } from './classify.ts';
import { KubectlError } from './errors.ts';
import { withPatchFile } from './patch-file.ts';
import type { Kubectl, RunOptions } from './runner.ts';
import type { KubeObject, KubectlResult, ObjectRef } from './types.ts';
import type { JsonObject, JsonValue } from '../json.ts';
import { isJsonObject, parseJson } from '../json.ts';

export type JsonPatchOp = {
  op: 'add' | 'replace' | 'remove' | 'test' | 'move' | 'copy';
  path: string;
  value?: JsonValue;
  from?: string;
};

/** `kind.version.group/name` (core group: `kind/name`), unambiguous even when two groups share a kind. */
export function resourceArg(ref: ObjectRef): string {
  if (ref.name === '') throw new TypeError(`object reference needs apiVersion, kind and name, got ${JSON.stringify(ref)}`);
  return `${resourceType(ref)}/${ref.name}`;
}

/** `kind.version.group` (core group: `kind`): the type part of resourceArg, for lists and watches. */
export function resourceType(ref: Pick<ObjectRef, 'apiVersion' | 'kind'>): string {
  if (ref.kind === '' || ref.apiVersion === '') {
    throw new TypeError(`object reference needs apiVersion, kind and name, got ${JSON.stringify(ref)}`);
  }
  const kind = ref.kind.toLowerCase();
  const slash = ref.apiVersion.indexOf('/');
  if (slash < 0) return kind;
  return `${kind}.${ref.apiVersion.slice(slash + 1)}.${ref.apiVersion.slice(0, slash)}`;
}

function refNamespace(ref: ObjectRef): Pick<RunOptions, 'namespace'> {
  return namespaceChoice(ref.namespace);
}

function namespaceChoice(namespace: string | undefined): Pick<RunOptions, 'namespace'> {
  return namespace === undefined ? {} : { namespace };
}

/** Refs grouped by namespace, in first-seen order, so one kubectl call serves each namespace. */
function groupByNamespace(refs: readonly ObjectRef[]): Map<string | undefined, ObjectRef[]> {
  const byNamespace = new Map<string | undefined, ObjectRef[]>();
  for (const ref of refs) {
    const group = byNamespace.get(ref.namespace) ?? [];
    group.push(ref);
    byNamespace.set(ref.namespace, group);
  }
  return byNamespace;
}

/** A Kubernetes object as kubectl prints one: apiVersion, kind and a named metadata. */
export function isKubeObject(value: unknown): value is KubeObject {
  if (!isJsonObject(value)) return false;
  const metadata = value['metadata'];
  return typeof value['apiVersion'] === 'string' && typeof value['kind'] === 'string' && isJsonObject(metadata) && typeof metadata['name'] === 'string';
}

function unexpectedOutput(result: KubectlResult, expected: string): KubectlError {
  const text = result.stdout.trim();
  const shown = text === '' ? 'empty output' : JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
  return new KubectlError({ reason: 'Unknown', message: `${commandLabel(result.argv)}: Unknown: expected ${expected} on stdout, got ${shown}`, result });
}

function stdoutJson(result: KubectlResult, expected: string): JsonValue {
  const parsed = parseJson(result.stdout);
  if (parsed === undefined) throw unexpectedOutput(result, expected);
  return parsed;
}

function parseObject(result: KubectlResult): KubeObject {
  const parsed = stdoutJson(result, 'a JSON Kubernetes object');
  if (!isKubeObject(parsed)) throw unexpectedOutput(result, 'a JSON Kubernetes object');
  return parsed;
}

/** A single object or a List of them (what `-o json` prints for several). */
function parseObjects(result: KubectlResult): KubeObject[] {
  const parsed = stdoutJson(result, 'a JSON object or List');
  if (isJsonObject(parsed) && parsed['kind'] === 'List' && Array.isArray(parsed['items'])) {
    const items: unknown[] = parsed['items'];
    if (!items.every(isKubeObject)) throw unexpectedOutput(result, 'a List of Kubernetes objects');
    return items;
  }
  if (!isKubeObject(parsed)) throw unexpectedOutput(result, 'a JSON object or List');
  return [parsed];
}

export function refOf(object: KubeObject): ObjectRef {
  const namespace = object.metadata.namespace;
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    ...(typeof namespace === 'string' && namespace !== '' ? { namespace } : {}),
  };
}

export interface ApplyOptions {
  fieldManager?: string;
  serverSide?: boolean;
  dryRun?: 'server' | 'client';
  timeoutMs?: number;
  /** Default namespace for documents without one (undefined = connection default, null = kubeconfig's). */
  namespace?: string | null;
}

/** `kubectl apply -f - -o json` with the manifest on stdin; returns the exact refs the server stored. */
export async function apply(k: Kubectl, manifestYaml: string, options: ApplyOptions = {}): Promise<ObjectRef[]> {
  const args = ['apply', '-f', '-', '-o', 'json'];
  if (options.serverSide === true) args.push('--server-side');
  if (options.fieldManager !== undefined) args.push(`--field-manager=${options.fieldManager}`);
  if (options.dryRun !== undefined) args.push(`--dry-run=${options.dryRun}`);
  const result = await k.run(args, {
    stdin: manifestYaml,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
  });
  return parseObjects(result).map(refOf);
}

/** The object, or undefined when the server says NotFound. */
export async function getObject(k: Kubectl, ref: ObjectRef): Promise<KubeObject | undefined> {
  try {
    return parseObject(await k.run(['get', resourceArg(ref), '-o', 'json'], refNamespace(ref)));
  } catch (error: unknown) {
    if (error instanceof KubectlError && error.reason === 'NotFound') return undefined;
    throw error;
  }
}

/**
 * References as a YAML stream for `kubectl <verb> -f -`: apiVersion, kind, name and namespace only.
 * kubectl's resource builder gives every object of `-f` its own client, whereas several names on
 * the command line share one, rate-limited by client-go to 5 requests a second after a burst of
 * 10: `get`/`delete` of 50 names took 8 s, the same objects through `-f -` 0.15 s.
 */
export function refsStream(refs: readonly ObjectRef[]): string {
  return refs
    .map((ref) => {
      const namespace = ref.namespace === undefined ? '' : `  namespace: ${JSON.stringify(ref.namespace)}\n`;
      return `apiVersion: ${JSON.stringify(ref.apiVersion)}\nkind: ${JSON.stringify(ref.kind)}\nmetadata:\n  name: ${JSON.stringify(ref.name)}\n${namespace}`;
    })
    .join('---\n');
}

/**
 * The objects among `refs` that exist: one `kubectl get -f - -o json --ignore-not-found` per
 * namespace, the references on stdin (see refsStream). Missing objects are simply absent; kubectl
 * prints nothing when none exists, the object itself for a single one and a List for several.
 */
export async function getObjects(k: Kubectl, refs: readonly ObjectRef[]): Promise<KubeObject[]> {
  const found: KubeObject[] = [];
  for (const [namespace, group] of groupByNamespace(refs)) {
    const result = await k.run(['get', '-f', '-', '-o', 'json', '--ignore-not-found'], { stdin: refsStream(group), ...namespaceChoice(namespace) });
    if (result.stdout.trim() === '') continue;
    found.push(...parseObjects(result));
  }
  return found;
}

/**
 * `kubectl get T1,T2,… -l SELECTOR -o json` (in `namespace`, else the connection's): every object
 * of these types the selector matches. Items that are not objects are skipped.
 */
export async function listSelected(k: Kubectl, types: readonly string[], selector: string, namespace?: string): Promise<KubeObject[]> {
  const result = await k.run(['get', types.join(','), '-l', selector, '-o', 'json'], namespaceChoice(namespace));
  const parsed = parseJson(result.stdout);
  const items = isJsonObject(parsed) && Array.isArray(parsed['items']) ? parsed['items'] : undefined;
  if (items === undefined) {
    throw new KubectlError({ reason: 'Unknown', message: `kubectl get ${types.join(',')} -l ${selector}: Unknown: expected a JSON List on stdout`, result });
  }
  return (items as unknown[]).filter(isKubeObject);
}

/** stdout of `get -o jsonpath=<expr>`, as printed (no trimming: an empty field is ''). */
export async function getJsonpath(k: Kubectl, ref: ObjectRef, jsonpath: string): Promise<string> {
  const result = await k.run(['get', resourceArg(ref), '-o', `jsonpath=${jsonpath}`], refNamespace(ref));
  return result.stdout;
}

export interface PatchOptions {
  subresource?: 'status';
}

/** The body goes to kubectl in a private file, never in argv (see patch-file.ts). */
async function patch(k: Kubectl, ref: ObjectRef, type: 'json' | 'merge', body: string, options: PatchOptions): Promise<KubeObject> {
  return withPatchFile(k, `kubectl patch ${resourceArg(ref)}`, body, async (file) => {
    const args = ['patch', resourceArg(ref), `--type=${type}`, `--patch-file=${file}`, '-o', 'json'];
    if (options.subresource !== undefined) args.push(`--subresource=${options.subresource}`);
    return parseObject(await k.run(args, refNamespace(ref)));
  });
}

/** RFC 6902 patch; a failing `test` op is reported as Invalid (the server's 422). */
export function patchJson(k: Kubectl, ref: ObjectRef, ops: JsonPatchOp[], options: PatchOptions = {}): Promise<KubeObject> {
  return patch(k, ref, 'json', JSON.stringify(ops), options);
}

export function patchMerge(k: Kubectl, ref: ObjectRef, body: JsonObject, options: PatchOptions = {}): Promise<KubeObject> {
  return patch(k, ref, 'merge', JSON.stringify(body), options);
}

export interface DeleteOptions {
  /** default true */
  ignoreNotFound?: boolean;
  /** Wait until the objects are gone (kubectl's default: true). */
  wait?: boolean;
  /**
   * Bound of the whole call: kubectl gets `--timeout=<s>s` (what is left of it, for later namespaces),
   * the processes get DELETE_PROCESS_MARGIN_MS more before they are killed, and a transient failure is
   * only retried while time is left. A Timeout of a waiting delete is never retried.
   */
  timeoutMs?: number;
}

const DELETE_PROCESS_MARGIN_MS = 10_000;

/** One `kubectl delete` per namespace, naming exactly these objects. */
export async function deleteObjects(k: Kubectl, refs: ObjectRef[], options: DeleteOptions = {}): Promise<void> {
  const wait = options.wait !== false;
  const deadlineMs = options.timeoutMs === undefined ? undefined : k.clock.now() + options.timeoutMs + DELETE_PROCESS_MARGIN_MS;
  for (const [namespace, group] of groupByNamespace(refs)) {
    const args = ['delete', ...group.map(resourceArg)];
    if (options.ignoreNotFound !== false) args.push('--ignore-not-found');
    args.push(`--wait=${wait ? 'true' : 'false'}`);
    if (deadlineMs !== undefined) {
      const leftMs = deadlineMs - DELETE_PROCESS_MARGIN_MS - k.clock.now();
      args.push(`--timeout=${Math.max(1, Math.ceil(leftMs / 1000))}s`);
    }
    await k.run(args, {
      ...namespaceChoice(namespace),
      ...(deadlineMs === undefined ? {} : { deadlineMs, timeoutMs: Math.max(1, deadlineMs - k.clock.now()) }),
      // kubectl's own --timeout already waited as long as the caller allowed: another try would double it.
      ...(wait ? { noRetry: ['Timeout'] as const } : {}),
    });
  }
}

export async function exists(k: Kubectl, ref: ObjectRef): Promise<boolean> {
  const result = await k.run(['get', resourceArg(ref), '-o', 'name', '--ignore-not-found'], refNamespace(ref));
  return result.stdout.trim() !== '';
}
