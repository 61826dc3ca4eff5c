import { expect } from 'chai';
import { classify, stderrDetailLines } from '../../src/kubectl/classify.ts';
import type { KubectlResult } from '../../src/kubectl/types.ts';

// As kubectl 1.32 prints them against a closed port (see test/cli/unreachable.test.ts for the real run).
const MEMCACHE =
  'E1202 01:59:55.496958    4783 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list: Get \\"https://127.0.0.1:1/api?timeout=32s\\": dial tcp 127.0.0.1:1: connect: connection refused"';
const REFUSED = 'The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?';
const VALIDATE =
  'error: error validating "STDIN": error validating data: failed to download openapi: Get "https://127.0.0.1:1/openapi/v2?timeout=32s": dial tcp 127.0.0.1:1: connect: connection refused; if you choose to ignore these errors, turn validation off with --validate=false';

function failed(argv: string[], stderr: string): KubectlResult {
  return { argv, exitCode: 1, stdout: '', stderr, durationMs: 5, timedOut: false };
}

describe('kubectl/classify: stderr reduced to our one line', () => {
  it("klog lines are not detail: an unreachable get shows kubectl's own sentence only", () => {
    const stderr = `${MEMCACHE}\n${MEMCACHE}\n${REFUSED}\n`;
    expect(stderrDetailLines(stderr)).to.deep.equal([REFUSED]);
    const failure = classify(failed(['kubectl', 'get', 'task/t1'], stderr));
    expect(failure).to.deep.equal({ reason: 'Unreachable', message: `kubectl get task/t1: Unreachable: ${REFUSED}` });
  });

  it("kubectl's advice to pass --validate=false is dropped from messages and detail", () => {
    const failure = classify(failed(['kubectl', 'apply', '-f', '-', '-o', 'json'], `${VALIDATE}\n`));
    expect(failure?.reason).to.equal('Unreachable');
    expect(failure?.message).to.equal(
      'kubectl apply: Unreachable: error validating "STDIN": error validating data: failed to download openapi: Get "https://127.0.0.1:1/openapi/v2?timeout=32s": dial tcp 127.0.0.1:1: connect: connection refused',
    );
    expect(stderrDetailLines(VALIDATE).join('\n')).to.not.contain('--validate');
  });

  it('detail lines are redacted and keep what is not klog noise (warnings, causes)', () => {
    const lines = stderrDetailLines('Warning: deprecated\n--token=abc123 rejected\n* spec.state: Unsupported value\n');
    expect(lines).to.deep.equal(['Warning: deprecated', '--token=<redacted> rejected', '* spec.state: Unsupported value']);
  });
});
