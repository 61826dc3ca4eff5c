import { expect } from 'chai';
import { runCommand } from '../../src/cli/command.ts';
import { serveCommand } from '../../src/cli/commands/serve.ts';
import { UsageError } from '../../src/cli/usage-error.ts';
import { captureOut } from '../helpers/capture.ts';

describe('kubectl-task serve: flags', () => {
  async function usageError(argv: string[]): Promise<string> {
    const error = await runCommand(serveCommand, argv, { out: captureOut(), signal: new AbortController().signal }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(UsageError);
    return error instanceof Error ? error.message : '';
  }

  it('refuses -n with -A, a bad --unreachable-grace, positionals and unknown flags before touching the cluster', async () => {
    expect(await usageError(['-n', 'demo', '-A'])).to.equal('serve: -n/--namespace and -A/--all-namespaces exclude each other');
    expect(await usageError(['--namespace=demo', '--all-namespaces'])).to.equal('serve: -n/--namespace and -A/--all-namespaces exclude each other');
    expect(await usageError(['--unreachable-grace', 'soon'])).to.equal('serve: invalid --unreachable-grace "soon" (use e.g. 60s, 2m, 500ms)');
    expect(await usageError(['task.yaml'])).to.equal('serve: unexpected argument "task.yaml" (requests come on stdin; see kubectl-task serve --help)');
    expect(await usageError(['--timeout', '30s'])).to.match(/^serve: Unknown option '--timeout'/);
  });

  it('refuses an executor id that is not a label value, as a usage error', async () => {
    expect(await usageError(['--executor-id', 'not a label', '--kubectl', '/nonexistent/kubectl'])).to.match(
      /^serve: executor id "not a label" is not a valid label value/,
    );
  });
});
