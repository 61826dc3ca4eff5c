/**
 * SelfSubjectAccessReview (what `kubectl auth can-i` creates): any authenticated user may ask,
 * and the answer comes from the same authorizer that guards every request.
 */
import type { JsonObject, JsonValue } from '../kubectl/types.ts';
import type { RequestAttributes, SandboxUser } from './auth.ts';
import { isObject, str } from './objects.ts';
import { badRequest } from './status.ts';

export function reviewAccess(args: {
  body: JsonValue;
  user: SandboxUser;
  authorize: (user: SandboxUser, attrs: RequestAttributes) => boolean;
}): JsonObject {
  if (!isObject(args.body) || !isObject(args.body['spec'])) throw badRequest('SelfSubjectAccessReview: spec is required');
  const spec = args.body['spec'];
  const ra = spec['resourceAttributes'];
  let allowed: boolean;
  if (isObject(ra)) {
    const attrs: RequestAttributes = { verb: str(ra['verb']), resource: str(ra['resource']), apiGroup: str(ra['group']) };
    if (str(ra['subresource']) !== '') attrs.subresource = str(ra['subresource']);
    if (str(ra['namespace']) !== '') attrs.namespace = str(ra['namespace']);
    if (str(ra['name']) !== '') attrs.name = str(ra['name']);
    allowed = args.authorize(args.user, attrs);
  } else {
    // Non-resource URLs (discovery, /version, /healthz) are open to every authenticated user.
    allowed = true;
  }
  const status: JsonObject = { allowed };
  if (allowed && args.user.groups.includes('system:masters')) status['reason'] = '';
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    status,
  };
}
