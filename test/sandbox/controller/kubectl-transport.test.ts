import { expect } from 'chai';
import { KubectlError } from '../../../src/kubectl/errors.ts';
import type { KubectlResult } from '../../../src/kubectl/types.ts';
import type { JsonObject } from '../../../src/json.ts';
import type { TaskEvent } from '../../../src/sandbox/controller/controller.ts';
import { KubectlStatusWriter, KubectlTaskSource, TASK_RESOURCE, type ControllerKubectl } from '../../../src/sandbox/controller/kubectl.ts';

function result(argv: readonly string[], exitCode: number, stdout = ''): KubectlResult {
  return { argv, exitCode, stdout, stderr: '', durationMs: 1, timedOut: false };
}

interface StreamCall {
  args: readonly string[];
  namespace: string | null | undefined;
  onLine: (line: string) => void;
  onStderrLine: ((line: string) => void) | undefined;
  end: (code: number) => void;
  stopped: boolean;
}

class FakeKubectl implements ControllerKubectl {
  readonly streams: StreamCall[] = [];
  readonly runs: { args: readonly string[]; namespace: string | null | undefined }[] = [];
  runImpl: (args: readonly string[]) => Promise<KubectlResult> = async (args) => result(args, 0, '{}');

  run(args: readonly string[], options?: { namespace?: string | null }): Promise<KubectlResult> {
    this.runs.push({ args, namespace: options?.namespace });
    return this.runImpl(args);
  }

  stream(
    args: readonly string[],
    options: { onLine: (line: string) => void; onStderrLine?: (line: string) => void; namespace?: string | null },
  ): { readonly done: Promise<KubectlResult>; stop(): void } {
    let end: (code: number) => void = () => {};
    const done = new Promise<KubectlResult>((resolve) => {
      end = (code) => resolve(result(args, code));
    });
    const call: StreamCall = {
      args,
      namespace: options.namespace,
      onLine: options.onLine,
      onStderrLine: options.onStderrLine,
      end,
      stopped: false,
    };
    this.streams.push(call);
    return {
      done,
      stop: () => {
        call.stopped = true;
        end(1);
      },
    };
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function taskObject(name: string): JsonObject {
  return { apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', metadata: { name, namespace: 'ns' }, spec: { state: 'standby' } };
}

describe('sandbox/controller/kubectl transport', () => {
  it('watches all namespaces with -A and turns watch lines into events', async () => {
    const kubectl = new FakeKubectl();
    const source = new KubectlTaskSource({ kubectl, sleep: async () => {} });
    const events: TaskEvent[] = [];
    source.start((event) => events.push(event));
    await tick();
    const call = kubectl.streams[0];
    if (call === undefined) throw new Error('no kubectl stream was started');
    expect(call.args).to.deep.equal(['get', TASK_RESOURCE, '-A', '--watch', '-o', 'json', '--output-watch-events']);
    expect(call.namespace).to.equal(null);
    call.onLine(JSON.stringify({ type: 'ADDED', object: taskObject('a') }));
    call.onLine(JSON.stringify({ type: 'MODIFIED', object: taskObject('a') }));
    call.onLine(JSON.stringify({ type: 'DELETED', object: taskObject('a') }));
    call.onLine('not json');
    expect(events.map((e) => e.type)).to.deep.equal(['upsert', 'upsert', 'delete']);
    await source.stop();
    expect(call.stopped).to.equal(true);
  });

  it('watches one namespace with -n and restarts kubectl when it exits, logging stderr', async () => {
    const kubectl = new FakeKubectl();
    const sleeps: number[] = [];
    const logs: string[] = [];
    const source = new KubectlTaskSource({
      kubectl,
      namespace: 'team',
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      log: (line) => logs.push(line),
    });
    source.start(() => {});
    await tick();
    const first = kubectl.streams[0];
    if (first === undefined) throw new Error('no kubectl stream was started');
    expect(first.args).to.not.include('-A');
    expect(first.namespace).to.equal('team');
    first.onStderrLine?.('error: the server doesn\'t have a resource type "tasks"');
    first.end(1);
    await tick();
    await tick();
    expect(kubectl.streams).to.have.length(2);
    expect(sleeps).to.deep.equal([250]);
    expect(logs.join('\n')).to.match(/exited \(code 1: error: the server doesn't have a resource type "tasks"\)/);
    kubectl.streams[1]?.end(1);
    await tick();
    await tick();
    expect(sleeps).to.deep.equal([250, 500]);
    await source.stop();
  });

  it('patches the status subresource with a merge patch and reports NotFound as gone', async () => {
    const kubectl = new FakeKubectl();
    const writer = new KubectlStatusWriter(kubectl);
    const updated = { ...taskObject('t1'), status: { state: 'configured' } };
    kubectl.runImpl = async (args) => result(args, 0, JSON.stringify(updated));
    const ok = await writer.writeStatus({ namespace: 'ns', name: 't1' }, { state: 'configured' });
    expect(ok).to.deep.equal({ kind: 'written', object: updated });
    expect(kubectl.runs[0]).to.deep.equal({
      args: ['patch', TASK_RESOURCE, 't1', '--subresource=status', '--type=merge', '-p', '{"status":{"state":"configured"}}', '-o', 'json'],
      namespace: 'ns',
    });

    kubectl.runImpl = async () => {
      throw new KubectlError({ reason: 'NotFound', message: 'tasks.aliecs.alice.cern "t1" not found' });
    };
    expect(await writer.writeStatus({ namespace: 'ns', name: 't1' }, { state: 'running' })).to.deep.equal({ kind: 'gone' });

    kubectl.runImpl = async () => {
      throw new KubectlError({ reason: 'Forbidden', message: 'cannot patch' });
    };
    const failed = await writer.writeStatus({ namespace: 'ns', name: 't1' }, { state: 'running' });
    expect(failed).to.deep.equal({ kind: 'failed', message: 'cannot patch' });
  });
});
