/**
 * Label-selected calls over several resource types (`get configmaps,secrets -l …`, `delete … -l`)
 * where some types are only looked at in case: a least-privilege executor that may not list
 * Secrets cannot have created one either, so a refusal to list an optional type means there is
 * nothing of it to find. Refused optional types are dropped and the call runs again; a refusal of
 * a required type stays an error.
 */
import { KubectlError } from './errors.ts';

export async function withoutRefusedOptionalTypes<T>(
  types: readonly string[],
  optional: ReadonlySet<string>,
  call: (types: readonly string[]) => Promise<T>,
): Promise<T> {
  let current = [...types];
  for (;;) {
    try {
      return await call(current);
    } catch (error) {
      const refused = refusedResources(error);
      const drop = current.filter((type) => optional.has(type) && refused.some((resource) => sameResource(type, resource)));
      if (drop.length === 0 || drop.length === current.length) throw error;
      current = current.filter((type) => !drop.includes(type));
    }
  }
}

/** `User "x" cannot list resource "secrets" in API group ""…`, for every resource named so. */
function refusedResources(error: unknown): string[] {
  if (!(error instanceof KubectlError) || error.reason !== 'Forbidden' || error.result === undefined) return [];
  return [...error.result.stderr.matchAll(/cannot (?:list|get|delete|deletecollection) resource "([^"]+)"/g)].map((m) => m[1] ?? '');
}

/** `secret`, `secrets`, `secrets.v1` all name the resource `secrets`. */
function sameResource(type: string, resource: string): boolean {
  const base = type.toLowerCase().split('.')[0] ?? '';
  return base === resource || `${base}s` === resource;
}
