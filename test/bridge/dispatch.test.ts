import { expect } from 'chai';
import { toFleetLaunchRequest } from '../../src/bridge/dispatch.ts';
import type { LaunchRequest } from '../../src/bridge/protocol.ts';
import { parseRequest } from '../../src/bridge/request-line.ts';

function launch(fields: Record<string, unknown>): LaunchRequest {
  const parsed = parseRequest({ type: 'launch', taskId: 't1', ...fields });
  if (!parsed.ok) throw new Error(parsed.error.message);
  if (parsed.request.type !== 'launch') throw new Error('not a launch');
  return parsed.request;
}

describe('bridge protocol: launch → engine request (the control-workflow convention)', () => {
  it('takes the manifest path from arguments[0] and the rest as KUBE_ARGUMENTS', () => {
    const request = toFleetLaunchRequest(launch({ command: { value: 'o2-exe', arguments: ['tpl/readout.yaml', '--id', 'a b'], user: 'flp' } }));
    expect(request).to.deep.equal({
      taskId: 't1',
      template: { file: 'tpl/readout.yaml' },
      env: {},
      executor: { command: 'o2-exe', arguments: ['--id', 'a b'], user: 'flp' },
    });
  });

  it("lets `manifest` take arguments[0]'s place: arguments[0] is still not a KUBE_ARGUMENT", () => {
    const request = toFleetLaunchRequest(launch({ manifest: 'other.yaml', command: { arguments: ['ecs/path.yaml', '--x'] } }));
    expect(request.template).to.deep.equal({ file: 'other.yaml' });
    expect(request.executor).to.deep.equal({ arguments: ['--x'] });
    expect(toFleetLaunchRequest(launch({ manifest: 'm.yaml' })).executor).to.deep.equal({ arguments: [] });
  });

  it('reads a manifest with a newline as the template text itself', () => {
    const text = 'apiVersion: aliecs.alice.cern/v1alpha1\nkind: Task\n';
    expect(toFleetLaunchRequest(launch({ manifest: text })).template).to.deep.equal({ text });
  });

  it('merges command.env (one pair of quotes stripped) under env, and passes allowMissing', () => {
    const request = toFleetLaunchRequest(
      launch({ manifest: 'm.yaml', env: { B: 'from-env' }, command: { env: ['A="quoted value"', "B='x'", 'C=a=b'] }, allowMissing: true }),
    );
    expect(request.env).to.deep.equal({ A: 'quoted value', B: 'from-env', C: 'a=b' });
    expect(request.allowMissing).to.equal(true);
  });
});
