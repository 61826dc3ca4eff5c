import { expect } from 'chai';
import { route } from '../../../src/sandbox/core/request-info.ts';

const q = (s = '') => new URLSearchParams(s);

describe('sandbox/core/request-info', () => {
  it('recognises non-resource paths', () => {
    expect(route('GET', '/version', q())).to.deep.equal({ kind: 'version' });
    expect(route('GET', '/apis', q())).to.deep.equal({ kind: 'apis' });
    expect(route('GET', '/apis/aliecs.alice.cern/v1alpha1', q())).to.deep.equal({ kind: 'groupVersion', group: 'aliecs.alice.cern', version: 'v1alpha1' });
    expect(route('GET', '/openapi/v3/apis/a.b/v1', q())).to.deep.equal({ kind: 'openapiV3Doc', path: 'apis/a.b/v1' });
  });

  it('parses namespaced resources, names, subresources and verbs', () => {
    expect(route('PATCH', '/apis/aliecs.alice.cern/v1alpha1/namespaces/rec/tasks/t1/status', q())).to.deep.equal({
      kind: 'resource',
      verb: 'patch',
      group: 'aliecs.alice.cern',
      version: 'v1alpha1',
      namespace: 'rec',
      resource: 'tasks',
      name: 't1',
      subresource: 'status',
    });
    expect(route('GET', '/apis/g/v1/namespaces/rec/tasks', q('watch=true'))).to.include({ verb: 'watch', namespace: 'rec', resource: 'tasks', name: '' });
    expect(route('GET', '/apis/g/v1/tasks', q())).to.include({ verb: 'list', namespace: '', resource: 'tasks' });
    expect(route('DELETE', '/api/v1/namespaces/rec/configmaps', q())).to.include({ verb: 'deletecollection', group: '' });
  });

  it('treats /api/v1/namespaces/<name> as the namespace object itself', () => {
    expect(route('GET', '/api/v1/namespaces/rec', q())).to.include({ resource: 'namespaces', name: 'rec', namespace: 'rec', subresource: '' });
    expect(route('PUT', '/api/v1/namespaces/rec/status', q())).to.include({ resource: 'namespaces', name: 'rec', subresource: 'status', verb: 'update' });
  });
});
