import type { Command } from '../command.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { parse, str } from '../flags.ts';

/** Runs the embedded API server in the foreground until Ctrl-C / SIGTERM. */
export const sandboxCommand: Command = {
  name: 'sandbox',
  summary: 'Run the embedded sandbox Kubernetes API server (and a fake task manager) in the foreground',
  usage: 'kubectl-task sandbox [--port N] [--kubeconfig PATH] [--tls|--insecure] [--server-version 1.26] [--no-controller] [--controller-delay-ms N]',
  async run(argv, { out, signal }) {
    const { values } = parse('sandbox', argv, {
      port: { type: 'string' },
      kubeconfig: { type: 'string' },
      tls: { type: 'boolean' },
      insecure: { type: 'boolean' },
      'no-controller': { type: 'boolean' },
      'controller-delay-ms': { type: 'string' },
      'server-version': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    // The version /version reports decides which kubectl the Cloud SDK dispatcher runs, and
    // whether discovery is aggregated (1.27+) or legacy (1.26, the recordings).
    const rawVersion = str(values['server-version']);
    const versionMatch = rawVersion === undefined ? undefined : /^v?1\.(\d+)(?:\.(\d+))?$/.exec(rawVersion);
    if (rawVersion !== undefined && versionMatch === null) throw new UsageError(`sandbox: --server-version must look like 1.30 or v1.30.2, got "${rawVersion}"`);
    const version = versionMatch?.[1] === undefined ? undefined : { major: '1', minor: versionMatch[1], gitVersion: `v1.${versionMatch[1]}.${versionMatch[2] ?? '0'}` };
    if (values['tls'] === true && values['insecure'] === true) throw new UsageError('sandbox: --tls and --insecure exclude each other');
    const port = str(values['port']) === undefined ? 0 : Number(str(values['port']));
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`sandbox: --port must be 0..65535, got ${str(values['port'])}`);
    const delayMs = str(values['controller-delay-ms']) === undefined ? 500 : Number(str(values['controller-delay-ms']));
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new UsageError(`sandbox: --controller-delay-ms must be a number >= 0`);
    const { startSandbox } = await import('../../sandbox/index.ts');
    const kubeconfigPath = str(values['kubeconfig']);
    const sandbox = await startSandbox({
      port,
      tls: values['insecure'] !== true,
      ...(kubeconfigPath === undefined ? {} : { kubeconfigPath }),
      ...(version === undefined ? {} : { version }),
      controller: values['no-controller'] === true ? false : { delayMs, log: (line: string) => out.stderr(`${line}\n`) },
    });
    out.stdout(`sandbox ready: KUBECONFIG=${sandbox.kubeconfigPath}\n`);
    out.stderr(`API server ${sandbox.url}; contexts: admin, executor. Ctrl-C stops it.\n`);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await sandbox.close();
    out.stderr('sandbox stopped\n');
    return EXIT.ok;
  },
};
