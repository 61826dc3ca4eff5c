/**
 * The access-review APIs `kubectl auth can-i` uses, answered by the same authorization that guards
 * every request (so for an impersonated user, the user kubectl names with `--as`):
 * SelfSubjectAccessReview (`can-i VERB RESOURCE`) and SelfSubjectRulesReview (`can-i --list`).
 */
import type { JsonObject, JsonValue } from '../../json.ts';
import type { Authorization, RequestAttributes, SandboxUser } from './auth.ts';
import { str } from '../core/objects.ts';
import { isJsonObject } from '../../json.ts';
import type { PolicyRule } from './rbac.ts';
import { badRequest } from '../core/status.ts';

export function reviewAccess(args: { body: JsonValue; user: SandboxUser; authorization: Authorization }): JsonObject {
  if (!isJsonObject(args.body) || !isJsonObject(args.body['spec'])) throw badRequest('SelfSubjectAccessReview: spec is required');
  const spec = args.body['spec'];
  const ra = spec['resourceAttributes'];
  const nra = spec['nonResourceAttributes'];
  let attrs: RequestAttributes;
  if (isJsonObject(ra)) {
    attrs = { verb: str(ra['verb']), resource: str(ra['resource']), apiGroup: str(ra['group']) };
    if (str(ra['subresource']) !== '') attrs.subresource = str(ra['subresource']);
    if (str(ra['namespace']) !== '') attrs.namespace = str(ra['namespace']);
    if (str(ra['name']) !== '') attrs.name = str(ra['name']);
  } else if (isJsonObject(nra)) {
    attrs = { verb: str(nra['verb']), resource: '', apiGroup: '', path: str(nra['path']) };
  } else {
    throw badRequest('SelfSubjectAccessReview: exactly one of nonResourceAttributes or resourceAttributes must be specified');
  }
  const decision = args.authorization.decide(args.user, attrs);
  // Go's omitempty: a denial without a reason is just {"allowed":false}, which kubectl prints as "no".
  const status: JsonObject = { allowed: decision.allowed };
  if (decision.reason !== '') status['reason'] = decision.reason;
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    status,
  };
}

/**
 * SelfSubjectRulesReview: every rule that applies to the user in spec.namespace. Like the
 * apiserver's, the answer carries only status (kubectl prints it as the `can-i --list` table).
 */
export function reviewRules(args: { body: JsonValue; user: SandboxUser; authorization: Authorization }): JsonObject {
  const spec = isJsonObject(args.body) && isJsonObject(args.body['spec']) ? args.body['spec'] : {};
  const namespace = str(spec['namespace']);
  if (namespace === '') throw badRequest('no namespace on request');
  const rules = args.authorization.rulesFor(args.user, namespace);
  const resourceRule = (r: PolicyRule): JsonObject => {
    const out: JsonObject = { verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [] };
    if ((r.resourceNames ?? []).length > 0) out['resourceNames'] = r.resourceNames ?? [];
    return out;
  };
  return {
    kind: 'SelfSubjectRulesReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: {},
    status: {
      resourceRules: rules.resourceRules.map(resourceRule),
      nonResourceRules: rules.nonResourceRules.map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs ?? [] })),
      incomplete: false,
    },
  };
}
