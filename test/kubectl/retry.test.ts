import { expect } from 'chai';
import { KubectlError } from '../../src/kubectl/errors.ts';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, validateRetryPolicy } from '../../src/kubectl/retry.ts';
import { Kubectl } from '../../src/kubectl/runner.ts';
import type { AttemptEvent, SpawnFn } from '../../src/kubectl/runner.ts';
import type { KubectlResult } from '../../src/kubectl/types.ts';
import { manualClock } from '../helpers/clock.ts';

type Outcome = { exitCode: number; stderr?: string; stdout?: string };

/** A spawn that plays the given outcomes in order and records each call. */
function scripted(outcomes: Outcome[]): { spawn: SpawnFn; calls: Array<{ file: string; args: readonly string[] }> } {
  const calls: Array<{ file: string; args: readonly string[] }> = [];
  const spawn: SpawnFn = async (file, args) => {
    calls.push({ file, args });
    const outcome = outcomes[Math.min(calls.length - 1, outcomes.length - 1)];
    if (outcome === undefined) throw new Error('scripted spawn has no outcomes');
    const result: KubectlResult = {
      argv: [file, ...args],
      exitCode: outcome.exitCode,
      stdout: outcome.stdout ?? '',
      stderr: outcome.stderr ?? '',
      durationMs: 5,
      timedOut: false,
    };
    return result;
  };
  return { spawn, calls };
}

function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

const UNAVAILABLE = 'Error from server (ServiceUnavailable): the server is currently unable to handle the request (get tasks.aliecs.alice.cern t1)\n';
const INVALID = 'The Task "t1" is invalid: spec.state: Unsupported value: "bogus": supported values: "standby", "deployed", "configured", "running"\n';
const TOO_MANY =
  'I1125 01:00:00.000000   1 request.go:1000] Got a Retry-After 7s response for attempt 10\nError from server (TooManyRequests): Too many requests, please try again later.\n';

describe('kubectl/retry', () => {
  it('503-like stderr twice, then success: 3 attempts with growing backoff', async () => {
    const { spawn, calls } = scripted([
      { exitCode: 1, stderr: UNAVAILABLE },
      { exitCode: 1, stderr: UNAVAILABLE },
      { exitCode: 0, stdout: 'ok' },
    ]);
    const { sleep, delays } = recordingSleep();
    const events: AttemptEvent[] = [];
    const k = new Kubectl({ spawn, sleep, onAttempt: (e) => events.push(e) });
    const result = await k.run(['get', 'task/t1']);
    expect(result.stdout).to.equal('ok');
    expect(calls).to.have.length(3);
    expect(delays).to.deep.equal([200, 400]);
    expect(events.map((e) => [e.attempt, e.reason, e.willRetry])).to.deep.equal([
      [1, 'ServerError', true],
      [2, 'ServerError', true],
      [3, undefined, false],
    ]);
  });

  it('422-like stderr: one attempt, KubectlError Invalid with the one-line message', async () => {
    const { spawn, calls } = scripted([{ exitCode: 1, stderr: INVALID }]);
    const { sleep, delays } = recordingSleep();
    const k = new Kubectl({ spawn, sleep });
    const error = await k.run(['patch', 'task.v1alpha1.aliecs.alice.cern/t1', '--type=json', '-p', '[]']).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(KubectlError);
    const ke = error as KubectlError;
    expect(ke.reason).to.equal('Invalid');
    expect(ke.attempts).to.equal(1);
    expect(ke.result?.stderr).to.equal(INVALID);
    expect(ke.message).to.match(/^kubectl patch task\.v1alpha1\.aliecs\.alice\.cern\/t1: Invalid: The Task "t1" is invalid: spec\.state: Unsupported value/);
    expect(calls).to.have.length(1);
    expect(delays).to.deep.equal([]);
  });

  it('transient failures exhaust the retries: attempts = retries + 1, delays capped by maxTimeoutMs', async () => {
    const { spawn, calls } = scripted([{ exitCode: 1, stderr: UNAVAILABLE }]);
    const { sleep, delays } = recordingSleep();
    const k = new Kubectl({ spawn, sleep, retry: { retries: 4, minTimeoutMs: 100, maxTimeoutMs: 300 } });
    const error = (await k.run(['get', 'x']).catch((e: unknown) => e)) as KubectlError;
    expect(error.reason).to.equal('ServerError');
    expect(error.attempts).to.equal(5);
    expect(error.message).to.match(/^kubectl get x: ServerError: the server is currently unable to handle the request .* \(gave up after 5 attempts\)$/);
    expect(calls).to.have.length(5);
    expect(delays).to.deep.equal([100, 200, 300, 300]);
  });

  it('TooManyRequests with a Retry-After hint waits at least that long', async () => {
    const { spawn, calls } = scripted([{ exitCode: 1, stderr: TOO_MANY }, { exitCode: 0 }]);
    const { sleep, delays } = recordingSleep();
    const k = new Kubectl({ spawn, sleep });
    await k.run(['get', 'x']);
    expect(calls).to.have.length(2);
    expect(delays).to.have.length(1);
    expect(delays[0]).to.be.at.least(7000);
  });

  it('retry: false per call and per instance means one attempt', async () => {
    const first = scripted([{ exitCode: 1, stderr: UNAVAILABLE }]);
    const k = new Kubectl({ spawn: first.spawn, sleep: recordingSleep().sleep });
    expect(((await k.run(['get', 'x'], { retry: false }).catch((e: unknown) => e)) as KubectlError).attempts).to.equal(1);
    expect(first.calls).to.have.length(1);
    const second = scripted([{ exitCode: 1, stderr: UNAVAILABLE }]);
    const never = new Kubectl({ spawn: second.spawn, retry: false });
    expect(((await never.run(['get', 'x']).catch((e: unknown) => e)) as KubectlError).reason).to.equal('ServerError');
    expect(second.calls).to.have.length(1);
  });

  it('tryRun never throws and never retries', async () => {
    const { spawn, calls } = scripted([{ exitCode: 1, stderr: UNAVAILABLE }]);
    const result = await new Kubectl({ spawn }).tryRun(['get', 'x']);
    expect(result.exitCode).to.equal(1);
    expect(calls).to.have.length(1);
  });

  it('an aborted signal stops retrying', async () => {
    const { spawn, calls } = scripted([{ exitCode: 1, stderr: UNAVAILABLE }]);
    const controller = new AbortController();
    const k = new Kubectl({ spawn, sleep: async () => controller.abort(new Error('caller gave up')) });
    const error = await k.run(['get', 'x'], { signal: controller.signal }).catch((e: unknown) => e);
    expect(String(error)).to.contain('caller gave up');
    expect(calls).to.have.length(1);
  });

  it('a deadline bounds the retries: no retry starts too close to it, each process timeout is capped by the time left', async () => {
    const clock = manualClock();
    const timeouts: number[] = [];
    const calls: number[] = [];
    // Each attempt "takes" 2 s on the fake clock; sleeps advance it by their delay.
    const spawn: SpawnFn = async (file, args, options) => {
      calls.push(clock.time);
      timeouts.push(options.timeoutMs);
      clock.advance(2_000);
      return { argv: [file, ...args], exitCode: 1, stdout: '', stderr: UNAVAILABLE, durationMs: 2_000, timedOut: false };
    };
    const k = new Kubectl({ spawn, timeoutMs: 30_000, clock, sleep: clock.sleep, retry: { retries: 10, minTimeoutMs: 1_000, maxTimeoutMs: 1_000 } });
    const error = (await k.run(['get', 'x'], { deadlineMs: 6_500 }).catch((e: unknown) => e)) as KubectlError;
    expect(error).to.be.instanceOf(KubectlError);
    expect(error.reason).to.equal('ServerError');
    // 0 → 2 s, wait 1 s, 3 → 5 s; a third try would start at 6 s with 0.5 s left (< MIN_ATTEMPT_MS): not started.
    expect(calls).to.deep.equal([0, 3_000]);
    expect(timeouts).to.deep.equal([6_500, 3_500]);
    expect(error.attempts).to.equal(2);
    expect(error.message).to.match(/\(gave up after 2 attempts: no time left before the caller's deadline\)$/);
    expect(clock.time).to.be.at.most(6_500);
  });

  it('a deadline already passed: Timeout without starting kubectl', async () => {
    const { spawn, calls } = scripted([{ exitCode: 0 }]);
    const k = new Kubectl({ spawn, clock: manualClock(10_000) });
    const error = (await k.run(['get', 'task/t1'], { deadlineMs: 9_000 }).catch((e: unknown) => e)) as KubectlError;
    expect(error.reason).to.equal('Timeout');
    expect(error.message).to.equal("kubectl get task/t1: Timeout: the caller's deadline passed before kubectl was started");
    expect(calls).to.have.length(0);
    const bad = await k.run(['get', 'x'], { deadlineMs: Number.NaN }).catch((e: unknown) => e);
    expect(bad).to.be.instanceOf(TypeError);
    expect(String(bad)).to.contain('run options.deadlineMs must be a finite time in ms, got NaN');
  });

  it('noRetry: a transient reason listed for the call is reported after one attempt', async () => {
    const { spawn, calls } = scripted([{ exitCode: 1, stderr: 'error: timed out waiting for the condition on tasks/fin\n' }]);
    const k = new Kubectl({ spawn, sleep: async () => expect.fail('must not retry') });
    const error = (await k.run(['delete', 'configmap/c', 'task/fin'], { noRetry: ['Timeout'] }).catch((e: unknown) => e)) as KubectlError;
    expect(error.reason).to.equal('Timeout');
    expect(error.attempts).to.equal(1);
    expect(calls).to.have.length(1);
    // without noRetry the same failure is retried
    const again = scripted([{ exitCode: 1, stderr: 'error: timed out waiting for the condition on tasks/fin\n' }, { exitCode: 0 }]);
    await new Kubectl({ spawn: again.spawn, sleep: async () => {} }).run(['delete', 'task/fin']);
    expect(again.calls).to.have.length(2);
  });

  it('validates policies with messages naming the option', () => {
    expect(() => new Kubectl({ retry: { retries: -1, minTimeoutMs: 1, maxTimeoutMs: 2 } })).to.throw(
      TypeError,
      'kubectl options.retry.retries must be a finite integer >= 0, got -1',
    );
    expect(() => new Kubectl({ retry: { retries: 1.5, minTimeoutMs: 1, maxTimeoutMs: 2 } })).to.throw(TypeError, /retry\.retries/);
    expect(() => new Kubectl({ retry: { retries: 1, minTimeoutMs: Number.NaN, maxTimeoutMs: 2 } })).to.throw(TypeError, /retry\.minTimeoutMs/);
    expect(() => new Kubectl({ retry: { retries: 1, minTimeoutMs: 500, maxTimeoutMs: 100 } })).to.throw(
      TypeError,
      /maxTimeoutMs \(100\) must be >= .*minTimeoutMs \(500\)/,
    );
    expect(() => new Kubectl({ retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2, factor: 0.5 } })).to.throw(TypeError, /retry\.factor/);
    expect(() => validateRetryPolicy('often')).to.throw(TypeError, /must be an object/);
    expect(() => new Kubectl({ timeoutMs: 0 })).to.throw(TypeError, /timeoutMs/);
    expect(() => new Kubectl({ namespace: 'Bad_NS' })).to.throw(TypeError, /namespace "Bad_NS" is not a valid namespace/);
    expect(() => new Kubectl({ binary: '' })).to.throw(TypeError, /binary must be a non-empty string/);
  });

  it('backoff: exponential, capped, and a Retry-After hint capped at 10 × maxTimeoutMs', () => {
    expect([0, 1, 2, 3, 4, 5].map((i) => backoffDelayMs(DEFAULT_RETRY_POLICY, i))).to.deep.equal([200, 400, 800, 1600, 3200, 5000]);
    expect(backoffDelayMs(DEFAULT_RETRY_POLICY, 0, 3000)).to.equal(3000);
    expect(backoffDelayMs(DEFAULT_RETRY_POLICY, 0, 3_600_000)).to.equal(50_000);
  });
});
