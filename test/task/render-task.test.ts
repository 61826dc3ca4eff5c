import { expect } from 'chai';
import createDebug from 'debug';
import { renderTask } from '../../src/task/render-task.ts';

const TEMPLATE = `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: \${TASK_NAME}
spec:
  state: standby
  properties:
    password: \${DB_PASSWORD}
    command: "\${KUBE_COMMAND} \${KUBE_ARGUMENTS}"
  pod:
    containers:
      - name: main
        securityContext:
          runAsUser: \${FLP_UID}
---
apiVersion: v1
kind: Secret
metadata:
  name: \${TASK_NAME}-secret
stringData:
  token: \${API_TOKEN}
`;

describe('task/render-task', () => {
  const env = { TASK_NAME: 'r1', DB_PASSWORD: 's3cr3t-pw', API_TOKEN: 'tok-123456', FLP_UID: '1000', FLP_GID: '1000', FLP_SUPPLEMENTAL_GROUPS: '[1000]' };

  it('renders the executor variables and keeps the exact objects with their namespace', async () => {
    const rendered = await renderTask({
      taskId: 'r1',
      template: { text: TEMPLATE, file: 't.yaml' },
      env,
      baseEnv: {},
      executor: { command: 'o2-readout-exe', arguments: ['file:///etc/readout.cfg', "it's"] },
      namespace: { context: 'ctx-ns' },
    });
    expect(rendered.manifest.refs.map((r) => `${r.kind}/${r.namespace}/${r.name}`)).to.deep.equal(['Task/ctx-ns/r1', 'Secret/ctx-ns/r1-secret']);
    const spec = rendered.manifest.task['spec'] as { properties: Record<string, string>; pod: { containers: { securityContext: { runAsUser: unknown } }[] } };
    expect(spec.properties['command']).to.equal(`o2-readout-exe file:///etc/readout.cfg 'it'\\''s'`);
    expect(spec.pod.containers[0]?.securityContext.runAsUser).to.equal(1000);
    expect(rendered.yaml).to.contain('name: r1-secret');
  });

  it('keeps a bare $VAR for the container by default; placeholders: braced-and-bare expands it', async () => {
    const text =
      'apiVersion: aliecs.alice.cern/v1alpha1\nkind: Task\nmetadata:\n  name: ${TASK_NAME}\nspec:\n  state: standby\n  properties:\n    cmd: "run -S $ROOT/lib/"\n';
    const kept = await renderTask({ taskId: 'r1', template: { text, file: 't.yaml' }, env: { TASK_NAME: 'r1', ROOT: '/task' } });
    expect(kept.manifest.task['spec']).to.deep.include({ properties: { cmd: 'run -S $ROOT/lib/' } });
    expect(kept.yaml).to.contain('run -S $ROOT/lib/');
    const expanded = await renderTask({
      taskId: 'r1',
      template: { text, file: 't.yaml' },
      env: { TASK_NAME: 'r1', ROOT: '/task' },
      placeholders: 'braced-and-bare',
    });
    expect(expanded.manifest.task['spec']).to.deep.include({ properties: { cmd: 'run -S /task/lib/' } });
  });

  it('names the missing user when FLP_* are needed and cannot be looked up', async () => {
    const error = await renderTask({
      taskId: 'r1',
      template: { text: TEMPLATE, file: 't.yaml' },
      env: { TASK_NAME: 'r1', DB_PASSWORD: 'x', API_TOKEN: 'y' },
      baseEnv: {},
      executor: { user: 'no-such-user-here' },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).to.match(/t\.yaml: .*no-such-user-here/);
  });

  it('logs the rendered manifest with secret values redacted, never in clear', async () => {
    const lines: string[] = [];
    const previousLog = createDebug.log;
    const previousNamespaces = createDebug.disable();
    createDebug.enable('kubectl-task:render');
    createDebug.log = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
    try {
      await renderTask({ taskId: 'r1', template: { text: TEMPLATE, file: 't.yaml' }, env, baseEnv: {}, executor: { command: 'run' } });
    } finally {
      createDebug.log = previousLog;
      createDebug.enable(previousNamespaces);
    }
    const logged = lines.join('\n');
    expect(logged).to.contain('<redacted>');
    expect(logged).to.contain('name: r1-secret');
    expect(logged).not.to.contain('s3cr3t-pw');
    expect(logged).not.to.contain('tok-123456');
  });
});
