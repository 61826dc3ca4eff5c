import { expect } from 'chai';
import { decodeKubernetesProtobuf, isKubernetesProtobuf, ProtobufError } from '../../../src/sandbox/http/protobuf.ts';

// Request bodies captured from kubectl 1.32 `kubectl create …` (POST application/vnd.kubernetes.protobuf).
const b64 = (s: string) => Buffer.from(s, 'base64');
const NAMESPACE = b64('azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhwKFAoEZGVtbxIAGgAiACoAMgA4AEIAEgAaAgoAGgAiAA==');
const CONFIGMAP = b64('azhzAAoPCgJ2MRIJQ29uZmlnTWFwEigKFgoDY20xEgAaA25zMSIAKgAyADgAQgASBgoBYRIBYhIGCgFjEgFkGgAiAA==');
const SECRET = b64('azhzAAoMCgJ2MRIGU2VjcmV0EicKFQoCczESABoDbnMxIgAqADIAOABCABIMCgJwdxIGc2VjcmV0GgAaACIA');
const ROLEBINDING = b64(
  'azhzAAorChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgtSb2xlQmluZGluZxKHAQoWCgNyYjESABoDbnMxIgAqADIAOABCABIoCgRVc2VyEhlyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvGgNib2IiABIcCg5TZXJ2aWNlQWNjb3VudBIAGgNzYTEiA25zMRolChlyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvEgRSb2xlGgJyMRoAIgA=',
);

describe('sandbox/http/protobuf', () => {
  it('decodes kubectl create namespace', () => {
    expect(decodeKubernetesProtobuf(NAMESPACE)).to.deep.equal({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
  });

  it('decodes a ConfigMap with its data map', () => {
    expect(decodeKubernetesProtobuf(CONFIGMAP)).to.deep.equal({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm1', namespace: 'ns1' },
      data: { a: 'b', c: 'd' },
    });
  });

  it('decodes Secret data as base64, like its JSON form', () => {
    const secret = decodeKubernetesProtobuf(SECRET);
    expect(secret['data']).to.deep.equal({ pw: Buffer.from('secret').toString('base64') });
  });

  it('decodes a RoleBinding with subjects and roleRef', () => {
    expect(decodeKubernetesProtobuf(ROLEBINDING)).to.deep.equal({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'rb1', namespace: 'ns1' },
      subjects: [
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' },
        { kind: 'ServiceAccount', name: 'sa1', namespace: 'ns1' },
      ],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r1' },
    });
  });

  it('rejects what it cannot read', () => {
    expect(isKubernetesProtobuf(Buffer.from('{"kind":"x"}'))).to.equal(false);
    expect(() => decodeKubernetesProtobuf(Buffer.from('{}'))).to.throw(ProtobufError, /magic/);
    expect(() => decodeKubernetesProtobuf(NAMESPACE.subarray(0, 20))).to.throw(ProtobufError, /truncated/);
  });
});
