import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Kubectl } from '../../../src/kubectl/runner.ts';
import { aggregatedDiscovery, negotiateAggregated } from '../../../src/sandbox/discovery/aggregated.ts';
import { startSandbox } from '../../../src/sandbox/index.ts';
import { ResourceRegistry } from '../../../src/sandbox/registry/resources.ts';
import { PROJECT_CRD } from '../../helpers/sandbox.ts';

// What kubectl 1.32 sends for /api and /apis.
const KUBECTL_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const v = (minor: string) => ({ major: '1', minor, gitVersion: `v1.${minor}.0` });

describe('sandbox/discovery/aggregated', () => {
  it('answers in the form the emulated server version had on by default', () => {
    expect(negotiateAggregated(KUBECTL_ACCEPT, v('26'))).to.equal(undefined);
    expect(negotiateAggregated(KUBECTL_ACCEPT, v('27'))).to.equal('v2beta1');
    expect(negotiateAggregated(KUBECTL_ACCEPT, v('30'))).to.equal('v2');
    expect(negotiateAggregated('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json', v('29'))).to.equal(undefined);
    expect(negotiateAggregated('application/json', v('33'))).to.equal(undefined);
    expect(negotiateAggregated(undefined, v('33'))).to.equal(undefined);
  });

  it('describes the core group under /api and the named groups under /apis', () => {
    const registry = new ResourceRegistry();
    const core = aggregatedDiscovery(registry, 'api', 'v2') as {
      items: {
        metadata: Record<string, unknown>;
        versions: { version: string; resources: { resource: string; singularResource: string; scope: string }[] }[];
      }[];
    };
    expect(core.items).to.have.length(1);
    expect(core.items[0]?.metadata).to.deep.equal({ creationTimestamp: null });
    const configmaps = core.items[0]?.versions[0]?.resources.find((r) => r.resource === 'configmaps');
    expect(configmaps).to.include({ singularResource: 'configmap', scope: 'Namespaced' });
    const named = aggregatedDiscovery(registry, 'apis', 'v2') as { apiVersion: string; items: { metadata: { name?: string } }[] };
    expect(named.apiVersion).to.equal('apidiscovery.k8s.io/v2');
    expect(named.items.map((i) => i.metadata.name)).to.include.members(['apiextensions.k8s.io', 'rbac.authorization.k8s.io']);
  });

  for (const minor of ['26', '27', '30', '33']) {
    const aggregated = minor !== '26';
    it(`1.${minor}: the dispatcher runs the matching kubectl, which discovers with ${aggregated ? 'two aggregated documents' : 'one request per group version'}`, async function () {
      this.timeout(60_000);
      if (minor !== '26' && !existsSync(`/usr/lib/google-cloud-sdk/bin/kubectl.1.${minor}`)) this.skip();
      const dir = await mkdtemp(path.join(os.tmpdir(), 'kubectl-task-agg-'));
      const sandbox = await startSandbox({ tls: false, version: v(minor), kubeconfigPath: path.join(dir, 'kubeconfig') });
      try {
        const kubectl = new Kubectl({ kubeconfig: sandbox.kubeconfigPath, retry: false });
        const cache = ['--cache-dir', path.join(dir, 'cache')];
        await kubectl.run([...cache, 'apply', '-f', PROJECT_CRD], { namespace: null });
        sandbox.requestLog.clear();
        const resources = await kubectl.run(['--cache-dir', path.join(dir, 'fresh-cache'), 'api-resources', '--api-group=aliecs.alice.cern'], {
          namespace: null,
        });
        expect(resources.stdout).to.match(/tasks\s+aliecs\.alice\.cern\/v1alpha1\s+true\s+Task/);
        const discovery = sandbox.requestLog.entries.filter((e) => /^\/apis?(\/[^/]+\/[^/]+|\/v1)?$/.test(e.path));
        const agents = [...new Set(discovery.map((e) => e.userAgent.split(' ')[0]))];
        // 1.26 is not a version the dispatcher maps: it runs its default, 1.32.
        expect(agents).to.have.length(1);
        expect(agents[0]).to.match(new RegExp(`^kubectl/v1\\.${minor === '26' ? '32' : minor}\\.\\d+$`));
        const perGroup = discovery.filter((e) => e.path !== '/api' && e.path !== '/apis');
        if (aggregated) expect(perGroup, 'no per-group discovery requests').to.deep.equal([]);
        else expect(perGroup.map((e) => e.path)).to.include.members(['/api/v1', '/apis/aliecs.alice.cern/v1alpha1']);
      } finally {
        await sandbox.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
