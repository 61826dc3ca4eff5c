/**
 * What kube-controller-manager's garbage collector would do, so kubectl's --cascade works against
 * the sandbox: dependents of a deleted owner are deleted (or lose the reference when another owner
 * remains), and an owner deleted in the foreground (finalizer `foregroundDeletion`) first has its
 * dependents deleted and goes once they are gone. Runs after the write that triggered it, as the
 * real collector does, so watchers see the owner's event before its dependents'.
 */
import type { JsonObject } from '../../json.ts';
import { FOREGROUND_FINALIZER, remove } from './deletes.ts';
import { meta, str } from '../core/objects.ts';
import { dependentsOf, uidExists, withoutOwner, ownerUids, type Dependent } from './owner-references.ts';
import { keyOf, type ResourceType } from '../registry/resources.ts';
import type { StoreEvent } from '../storage/store.ts';
import { ApiError } from '../core/status.ts';
import type { WriteRequest } from './writes.ts';
import type { SandboxState } from './state.ts';

interface Waiting {
  type: ResourceType;
  namespace: string;
  name: string;
}

function finalizersOf(obj: JsonObject): string[] {
  const f = meta(obj)['finalizers'];
  return Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : [];
}

const deleting = (obj: JsonObject): boolean => meta(obj)['deletionTimestamp'] !== undefined;

export class GarbageCollector {
  private readonly waiting = new Map<string, Waiting>();
  private readonly unsubscribe: () => void;

  constructor(private readonly state: SandboxState) {
    this.unsubscribe = state.store.subscribe((event) => queueMicrotask(() => this.guarded(event)));
  }

  stop(): void {
    this.unsubscribe();
  }

  private guarded(event: StoreEvent): void {
    try {
      this.handle(event);
    } catch (e) {
      // Runs outside any request: an error here has no client to go to and must not end the process.
      console.error(`sandbox garbage collector: ${event.type} ${event.key} ${event.namespace}/${event.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private handle(event: StoreEvent): void {
    const obj = event.stored.obj;
    const uid = str(meta(obj)['uid']);
    const id = `${event.key}/${event.namespace}/${event.name}`;
    if (event.type === 'DELETED') {
      this.waiting.delete(id);
      for (const d of dependentsOf(this.state, uid)) {
        const otherOwner = ownerUids(d.stored.obj).some((o) => o !== uid && uidExists(this.state, o));
        if (otherOwner) this.state.store.put(keyOf(d.type), withoutOwner(d.stored.obj, uid), 'MODIFIED');
        else this.deleteDependent(d);
      }
    } else if (deleting(obj) && finalizersOf(obj).includes(FOREGROUND_FINALIZER) && !this.waiting.has(id)) {
      const type = this.state.registry.all().find((t) => keyOf(t) === event.key);
      if (type !== undefined) this.waiting.set(id, { type, namespace: event.namespace, name: event.name });
      for (const d of dependentsOf(this.state, uid)) if (!deleting(d.stored.obj)) this.deleteDependent(d);
    }
    this.completeForeground();
  }

  private deleteDependent(d: Dependent): void {
    const m = meta(d.stored.obj);
    this.delete(d.type, str(m['namespace']), str(m['name']));
  }

  /** A DELETE as the collector sends it, so finalizers and the CRD/namespace side effects apply. */
  private delete(type: ResourceType, namespace: string, name: string): void {
    const w: WriteRequest = {
      state: this.state,
      type,
      req: { kind: 'resource', verb: 'delete', group: type.group, version: type.version, resource: type.resource, namespace, name, subresource: '' },
      manager: 'generic-garbage-collector',
      dryRun: false,
      fieldValidation: 'Ignore',
      decodedFrom: 'object',
      warnings: [],
    };
    try {
      remove(w, { propagationPolicy: 'Background' });
    } catch (e) {
      // Gone meanwhile (another delete won the race): nothing left to collect.
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    }
  }

  /** Owners deleted in the foreground whose dependents are all gone lose the finalizer (and go when it was the last). */
  private completeForeground(): void {
    for (const [id, w] of this.waiting) {
      const key = keyOf(w.type);
      const live = this.state.store.get(key, w.namespace, w.name);
      if (live === undefined) {
        this.waiting.delete(id);
        continue;
      }
      if (dependentsOf(this.state, str(meta(live.obj)['uid'])).length > 0) continue;
      this.waiting.delete(id);
      const rest = finalizersOf(live.obj).filter((f) => f !== FOREGROUND_FINALIZER);
      const next = structuredClone(live.obj);
      if (rest.length > 0) meta(next)['finalizers'] = rest;
      else delete meta(next)['finalizers'];
      this.state.store.put(key, next, 'MODIFIED');
      if (rest.length === 0) this.delete(w.type, w.namespace, w.name);
    }
  }
}
