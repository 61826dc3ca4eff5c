import { expect } from 'chai';
import { classify, commandLabel, firstMeaningfulLine, parseRetryAfterMs } from '../../src/kubectl/classify.ts';
import type { KubectlResult } from '../../src/kubectl/types.ts';

function failed(
  stderr: string,
  argv: readonly string[] = ['kubectl', 'patch', 'task.v1alpha1.aliecs.alice.cern/t1', '--type=json', '-p', '[]'],
  exitCode: number | null = 1,
): KubectlResult {
  return { argv, exitCode, stdout: '', stderr, durationMs: 12, timedOut: false };
}

// stderr texts of the kube-apiserver 1.26 reference recordings (kubectl 1.32 ↔ apiserver 1.26; see
// helpers/reference.ts), kept inline so these tests run in a checkout without the reference folder.
const RECORDED = {
  notFound09: 'Error from server (NotFound): tasks.aliecs.alice.cern "nope" not found\n',
  invalid11: 'The request is invalid: the server rejected our request due to an error in our request\n',
  invalid12: 'The Task "t1" is invalid: spec.state: Unsupported value: "bogus": supported values: "standby", "deployed", "configured", "running"\n',
  invalid16bind: 'The Task "t1" is invalid: \n* spec.bind[0].global: Required value\n* spec.bind[0].target: Required value\n',
  notFound17: 'Error from server (NotFound): error when creating "other-ns.yaml": namespaces "does-not-exist" not found\n',
  alreadyExists18: 'Error from server (AlreadyExists): error when creating "t1.yaml": tasks.aliecs.alice.cern "t1" already exists\n',
  forbidden19:
    'Error from server (Forbidden): tasks.aliecs.alice.cern "t1" is forbidden: User "task-executor" cannot patch resource "tasks" in API group "aliecs.alice.cern" in the namespace "rec"\n',
  unauthorized19:
    'E1125 01:49:34.070555   18530 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list: the server has asked for the client to provide credentials"\n' +
    'E1125 01:49:34.073803   18530 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list: the server has asked for the client to provide credentials"\n' +
    'error: You must be logged in to the server (the server has asked for the client to provide credentials)\n',
  waitTimeout20: 'error: timed out waiting for the condition on tasks/t1\n',
  notFound21:
    'Error from server (NotFound): error when deleting "multi.yaml": tasks.aliecs.alice.cern "m1" not found\nError from server (NotFound): error when deleting "multi.yaml": configmaps "readout-config" not found\n',
};

// Final lines observed from this machine's kubectl 1.32 against a local HTTP server answering every
// request with one fault (client-go retried discovery first; the 429 run took ~55 s).
const OBSERVED = {
  tooMany429:
    'E1125 02:06:04.198308   10756 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list: the server has received too many requests and has asked us to try again later"\nError from server (TooManyRequests): the server has received too many requests and has asked us to try again later\n',
  unavailable503:
    'E1125 02:06:04.774274   11303 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list: the server is currently unable to handle the request"\nError from server (ServiceUnavailable): the server is currently unable to handle the request\n',
  internal500:
    'E1125 02:06:05.347246   11327 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list: an error on the server (\\"unknown\\") has prevented the request from succeeding"\nError from server (InternalError): an error on the server ("unknown") has prevented the request from succeeding\n',
  eof: 'E1125 02:07:01.008922   11351 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list: Get \\"http://127.0.0.1:36025/api?timeout=32s\\": EOF"\nUnable to connect to the server: EOF\n',
  refused:
    'E1125 02:07:07.688066   11859 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list: Get \\"http://127.0.0.1:1/api?timeout=32s\\": dial tcp 127.0.0.1:1: connect: connection refused"\nThe connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?\n',
};

describe('kubectl/classify', () => {
  it('faults observed from the real kubectl: 429, 503, 500, EOF, refused', () => {
    const tooMany = classify(failed(OBSERVED.tooMany429, ['kubectl', 'get', 'configmap/cfg']));
    expect(tooMany?.reason).to.equal('TooManyRequests');
    expect(tooMany?.retryAfterMs).to.equal(undefined);
    expect(tooMany?.message).to.equal(
      'kubectl get configmap/cfg: TooManyRequests: the server has received too many requests and has asked us to try again later',
    );
    expect(classify(failed(OBSERVED.unavailable503))?.reason).to.equal('ServerError');
    expect(classify(failed(OBSERVED.internal500))?.reason).to.equal('ServerError');
    expect(classify(failed(OBSERVED.eof))?.reason).to.equal('Unreachable');
    const refused = classify(failed(OBSERVED.refused, ['kubectl', 'get', 'configmap/cfg']));
    expect(refused?.reason).to.equal('Unreachable');
    expect(refused?.message).to.equal(
      'kubectl get configmap/cfg: Unreachable: The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?',
    );
  });

  it("a kubeconfig that does not give what was asked is KubeconfigError, not NotFound (texts of this machine's kubectl 1.32)", () => {
    const texts = [
      'Error in configuration: context was not found for specified context: nope\n',
      'error: cannot locate context nope\n',
      'error: context "prod;rm -rf" does not exist\n',
      'error: current-context must exist in order to minify\n',
      'error: error loading config file "/tmp/kc": yaml: line 1: did not find expected node content\n',
    ];
    for (const text of texts) expect(classify(failed(text))?.reason, text).to.equal('KubeconfigError');
    const missing = classify(failed(texts[0] as string, ['kubectl', 'get', 'tasks', '--context', 'nope']));
    expect(missing?.message).to.equal('kubectl get tasks: KubeconfigError: Error in configuration: context was not found for specified context: nope');
  });

  it('success is undefined', () => {
    expect(classify({ ...failed(''), exitCode: 0 })).to.equal(undefined);
  });

  it('recorded NotFound (09, 14, 17, 21)', () => {
    expect(classify(failed(RECORDED.notFound09))?.reason).to.equal('NotFound');
    expect(classify(failed(RECORDED.notFound17))?.reason).to.equal('NotFound');
    const multi = classify(failed(RECORDED.notFound21, ['kubectl', 'delete', 'task.v1alpha1.aliecs.alice.cern/m1']));
    expect(multi?.reason).to.equal('NotFound');
    expect(multi?.message).to.equal(
      'kubectl delete task.v1alpha1.aliecs.alice.cern/m1: NotFound: error when deleting "multi.yaml": tasks.aliecs.alice.cern "m1" not found',
    );
  });

  it('recorded Invalid: enum (12, 16), failed test op / bad JSON patch (11, 15), several causes (16)', () => {
    const enumCase = classify(failed(RECORDED.invalid12));
    expect(enumCase?.reason).to.equal('Invalid');
    expect(enumCase?.message).to.equal(
      'kubectl patch task.v1alpha1.aliecs.alice.cern/t1: Invalid: The Task "t1" is invalid: spec.state: Unsupported value: "bogus": supported values: "standby", "deployed", "configured", "running"',
    );
    expect(classify(failed(RECORDED.invalid11))?.reason).to.equal('Invalid');
    const bind = classify(failed(RECORDED.invalid16bind, ['kubectl', 'apply', '-f', '-']));
    expect(bind?.reason).to.equal('Invalid');
    expect(bind?.message).to.equal(
      'kubectl apply: Invalid: The Task "t1" is invalid: spec.bind[0].global: Required value, spec.bind[0].target: Required value',
    );
    expect(bind?.message).to.not.contain('\n');
  });

  it('client-side validation, strict decoding, BadRequest and missing CRDs are Invalid (never retried)', () => {
    for (const stderr of [
      'error: error validating "STDIN": error validating data: ValidationError(Task.spec): unknown field "sate"; if you choose to ignore these errors, turn validation off with --validate=false\n',
      'Error from server (BadRequest): error when creating "STDIN": Task in version "v1alpha1" cannot be handled as a Task: strict decoding error: unknown field "spec.sate"\n',
      'error: resource mapping not found for name: "t1" namespace: "rec" from "STDIN": no matches for kind "Task" in version "aliecs.alice.cern/v1alpha1"\nensure CRDs are installed first\n',
      'error: the server doesn\'t have a resource type "tasks"\n',
    ]) {
      expect(classify(failed(stderr))?.reason, stderr).to.equal('Invalid');
    }
  });

  it('recorded AlreadyExists (18) and Conflict', () => {
    expect(classify(failed(RECORDED.alreadyExists18))?.reason).to.equal('AlreadyExists');
    expect(
      classify(
        failed(
          'Error from server (Conflict): Operation cannot be fulfilled on tasks.aliecs.alice.cern "t1": the object has been modified; please apply your changes to the latest version and try again\n',
        ),
      )?.reason,
    ).to.equal('Conflict');
    expect(classify(failed('error: Operation cannot be fulfilled on tasks.aliecs.alice.cern "t1": the object has been modified\n'))?.reason).to.equal(
      'Conflict',
    );
  });

  it('a manifest namespace that contradicts -n is Invalid (kubectl refuses it before any request)', () => {
    const mismatch = classify(
      failed(
        'error: the namespace from the provided object "a" does not match the namespace "b". You must pass \'--namespace=a\' to perform this operation.\n',
        ['kubectl', '-n', 'b', 'apply', '-f', '-'],
      ),
    );
    expect(mismatch?.reason).to.equal('Invalid');
    expect(mismatch?.message).to.equal(
      'kubectl apply: Invalid: the namespace from the provided object "a" does not match the namespace "b". You must pass \'--namespace=a\' to perform this operation.',
    );
  });

  it('a wait that timed out names the object kubectl waited for, not the first argument', () => {
    const result = classify(
      failed(
        'E1125 02:55:33.978187   10453 reflector.go:166] "Unhandled Error" err="context deadline exceeded"\nerror: timed out waiting for the condition on tasks/fin\n',
        ['kubectl', '-n', 'x', 'delete', 'configmap/fin-config', 'task.v1alpha1.aliecs.alice.cern/fin', '--wait=true', '--timeout=2s'],
      ),
    );
    expect(result?.reason).to.equal('Timeout');
    expect(result?.message).to.equal('kubectl delete tasks/fin: Timeout: timed out waiting for the condition on tasks/fin');
  });

  it('recorded Forbidden (19)', () => {
    const result = classify(failed(RECORDED.forbidden19));
    expect(result?.reason).to.equal('Forbidden');
    expect(result?.message).to.contain('User "task-executor" cannot patch resource "tasks"');
    expect(result?.message).to.not.contain('Error from server');
  });

  it("recorded Unauthorized (19, unknown token): klog noise skipped, kubectl's error line kept", () => {
    const result = classify(failed(RECORDED.unauthorized19, ['kubectl', 'get', 'task', 't1']));
    expect(result?.reason).to.equal('Unauthorized');
    expect(result?.message).to.equal(
      'kubectl get task: Unauthorized: You must be logged in to the server (the server has asked for the client to provide credentials)',
    );
    expect(classify(failed('Error from server (Unauthorized): Unauthorized\n'))?.reason).to.equal('Unauthorized');
  });

  it('Unreachable: refused, DNS, dial timeout, EOF, TLS', () => {
    for (const stderr of [
      'E1125 01:40:18.521100   13734 memcache.go:265] couldn\'t get current server API group list: Get "https://127.0.0.1:1/api?timeout=32s": dial tcp 127.0.0.1:1: connect: connection refused\nThe connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?\n',
      'Unable to connect to the server: dial tcp: lookup nowhere.invalid on 127.0.0.53:53: no such host\n',
      'Unable to connect to the server: dial tcp 10.1.2.3:6443: i/o timeout\n',
      'Unable to connect to the server: net/http: TLS handshake timeout\n',
      'error: Get "https://127.0.0.1:6443/api/v1/namespaces/rec/configmaps/x": EOF\n',
      'Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority\n',
    ]) {
      expect(classify(failed(stderr))?.reason, stderr).to.equal('Unreachable');
    }
  });

  it('Timeout: process timed out, server timeouts, kubectl --timeout expiry (20)', () => {
    const killed = classify({ ...failed(''), exitCode: null, timedOut: true, signal: 'SIGTERM', durationMs: 1000 });
    expect(killed?.reason).to.equal('Timeout');
    expect(killed?.message).to.contain('was killed');
    expect(classify(failed(RECORDED.waitTimeout20))?.reason).to.equal('Timeout');
    expect(
      classify(
        failed(
          'Error from server (Timeout): the server was unable to return a response in the time allotted, but may still be processing the request (get tasks.aliecs.alice.cern t1)\n',
        ),
      )?.reason,
    ).to.equal('Timeout');
    expect(classify(failed('error: context deadline exceeded\n'))?.reason).to.equal('Timeout');
  });

  it('TooManyRequests, with and without a Retry-After hint', () => {
    const plain = classify(
      failed(
        'Error from server (TooManyRequests): the server has received too many requests and has asked us to try again later (get tasks.aliecs.alice.cern t1)\n',
      ),
    );
    expect(plain?.reason).to.equal('TooManyRequests');
    expect(plain?.retryAfterMs).to.equal(undefined);
    const hinted = classify(
      failed(
        'I1125 01:00:00.000000   1 request.go:1000] Got a Retry-After 3s response for attempt 10 to https://x/api\nError from server (TooManyRequests): Too many requests, please try again later.\n',
      ),
    );
    expect(hinted?.reason).to.equal('TooManyRequests');
    expect(hinted?.retryAfterMs).to.equal(3000);
    expect(classify(failed('error: Too many requests\n'))?.reason).to.equal('TooManyRequests');
  });

  it('ServerError: InternalError, ServiceUnavailable, generic "an error on the server"', () => {
    for (const stderr of [
      'Error from server (InternalError): Internal error occurred: etcdserver: leader changed\n',
      'Error from server (ServiceUnavailable): the server is currently unable to handle the request (get tasks.aliecs.alice.cern t1)\n',
      'Error from server: an error on the server ("unknown") has prevented the request from succeeding (get tasks.aliecs.alice.cern t1)\n',
    ]) {
      expect(classify(failed(stderr))?.reason, stderr).to.equal('ServerError');
    }
  });

  it('KubectlNotFound on ENOENT names the binary and the way to set it', () => {
    const result = classify({
      argv: ['/no/such/kubectl', 'get', 'x'],
      exitCode: null,
      stdout: '',
      stderr: '',
      durationMs: 1,
      timedOut: false,
      spawnError: 'ENOENT',
    });
    expect(result?.reason).to.equal('KubectlNotFound');
    expect(result?.message).to.contain('"/no/such/kubectl"');
    expect(result?.message).to.contain('KUBECTL');
    expect(classify({ argv: ['/etc/passwd'], exitCode: null, stdout: '', stderr: '', durationMs: 1, timedOut: false, spawnError: 'EACCES' })?.reason).to.equal(
      'KubectlNotFound',
    );
  });

  it('Unknown for anything else, with the exit code when stderr is empty', () => {
    expect(classify(failed('something odd happened\n'))?.reason).to.equal('Unknown');
    const silent = classify(failed('', ['kubectl', 'get', 'x'], 2));
    expect(silent?.reason).to.equal('Unknown');
    expect(silent?.message).to.equal('kubectl get x: Unknown: kubectl exited with code 2 and printed nothing on stderr');
  });

  it('messages never carry a token', () => {
    const result = classify(failed('error: unknown flag --token=s3cr3t\n', ['kubectl', '--token=s3cr3t', 'get', 'x']));
    expect(result?.message).to.not.contain('s3cr3t');
  });

  it('messages never carry a secret from a patch that kubectl echoes', () => {
    const argv = ['kubectl', 'patch', 'task/t1', '--type=merge', '-p', '{"spec":{"arguments":{"password":"hunter2"}}'];
    const result = classify(
      failed('error: unable to parse "{\\"spec\\":{\\"arguments\\":{\\"password\\":\\"hunter2\\"}}": yaml: line 1: did not find expected node content\n', argv),
    );
    expect(result?.message).to.not.contain('hunter2');
    expect(result?.message).to.contain('password');
  });

  it('helpers: labels skip global flags; first meaningful line; retry-after forms', () => {
    expect(commandLabel(['kubectl', '--kubeconfig=/k', '--context=c', '-n', 'rec', 'get', 'task.v1alpha1.aliecs.alice.cern/t1', '-o', 'json'])).to.equal(
      'kubectl get task.v1alpha1.aliecs.alice.cern/t1',
    );
    expect(firstMeaningfulLine('E1125 01:49:34.070555   18530 memcache.go:265] only noise\n')).to.equal('only noise');
    expect(parseRetryAfterMs('Retry-After: 2')).to.equal(2000);
    expect(parseRetryAfterMs('please retry after 1.5s')).to.equal(1500);
    expect(parseRetryAfterMs('nothing here')).to.equal(undefined);
  });
});
