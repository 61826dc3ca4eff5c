/**
 * The shipped content against an API server: every `*-test.yaml` (the templates rendered with
 * their workflow's env) passes server-side validation under our CRD and under the unmodified
 * upstream CRD (which validates the full PodSpec), and `kubectl apply -k manifests/` installs.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { Kubectl } from '../../src/kubectl/runner.ts';
import { REPO_ROOT, UPSTREAM_CRD, startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';

const filled = readdirSync(path.join(REPO_ROOT, 'templates')).filter((f) => f.endsWith('-test.yaml'));

for (const crd of ['project', 'upstream'] as const) {
  describe(`content on the sandbox (${crd} Task CRD)`, function () {
    this.timeout(60_000);
    let test: TestSandbox;
    let kubectl: Kubectl;

    before(async function () {
      if (crd === 'upstream' && !existsSync(UPSTREAM_CRD)) this.skip();
      test = await startTestSandbox({ namespace: 'content', tls: false, crd });
      kubectl = new Kubectl({ kubeconfig: test.kubeconfig, context: 'admin', namespace: 'content', env: test.env });
    });
    after(async () => {
      await test?.cleanup();
    });

    it('ships at least the four filled templates', () => {
      expect(filled).to.include.members(['readout-test.yaml', 'stfsender-test.yaml', 'stfbuilder-senderoutput-test.yaml', 'example-test.yaml']);
    });

    for (const file of filled) {
      it(`templates/${file} passes server-side validation`, async () => {
        const result = await kubectl.run(['apply', '--dry-run=server', '-f', path.join(REPO_ROOT, 'templates', file)], { retry: false });
        expect(result.stdout).to.match(/task\.aliecs\.alice\.cern\/\S+ created \(server dry run\)/);
      });
    }

    if (crd === 'project') {
      it('kubectl apply -k manifests/ installs the CRD, namespace and RBAC', async () => {
        const result = await kubectl.run(['apply', '-k', path.join(REPO_ROOT, 'manifests')], { namespace: null, retry: false });
        expect(result.stdout).to.match(/namespace\/\S+ (created|unchanged)/);
        expect(result.stdout).to.match(/serviceaccount\/kubectl-task-executor created/);
        expect(result.stdout).to.match(/role\.rbac\.authorization\.k8s\.io\/\S+ created/);
        expect(result.stdout).to.match(/rolebinding\.rbac\.authorization\.k8s\.io\/\S+ created/);
        expect(result.stdout).to.match(/customresourcedefinition\.apiextensions\.k8s\.io\/tasks\.aliecs\.alice\.cern (configured|unchanged)/);
      });
    }
  });
}
