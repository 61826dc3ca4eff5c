/** Finding an object's dependents through metadata.ownerReferences (what the garbage collector keys on). */
import type { JsonObject } from '../../json.ts';
import { meta, str } from '../core/objects.ts';
import { isJsonObject } from '../../json.ts';
import { keyOf, type ResourceType } from '../registry/resources.ts';
import type { StoredObject } from '../storage/store.ts';
import type { SandboxState } from './state.ts';

export interface Dependent {
  type: ResourceType;
  stored: StoredObject;
}

export function ownerUids(obj: JsonObject): string[] {
  const refs = meta(obj)['ownerReferences'];
  return Array.isArray(refs) ? refs.filter(isJsonObject).map((r) => str(r['uid'])) : [];
}

/** Objects with an ownerReference to `uid`, in registry then storage order. */
export function dependentsOf(state: SandboxState, uid: string): Dependent[] {
  if (uid === '') return [];
  const out: Dependent[] = [];
  for (const type of state.registry.all()) {
    for (const stored of state.store.list(keyOf(type))) if (ownerUids(stored.obj).includes(uid)) out.push({ type, stored });
  }
  return out;
}

/** A copy of `obj` without its ownerReferences to `uid` (the field goes when none is left). */
export function withoutOwner(obj: JsonObject, uid: string): JsonObject {
  const next = structuredClone(obj);
  const m = meta(next);
  const refs = Array.isArray(m['ownerReferences']) ? m['ownerReferences'].filter((r) => !isJsonObject(r) || r['uid'] !== uid) : [];
  if (refs.length > 0) m['ownerReferences'] = refs;
  else delete m['ownerReferences'];
  return next;
}

/** Whether any object still carries this uid (an owner that is gone no longer protects its dependents). */
export function uidExists(state: SandboxState, uid: string): boolean {
  for (const type of state.registry.all()) for (const stored of state.store.list(keyOf(type))) if (str(meta(stored.obj)['uid']) === uid) return true;
  return false;
}
