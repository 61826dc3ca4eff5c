import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { UsageError } from '../usage-error.ts';
import { parse, str } from '../flags.ts';
import { aborted, exitWhenOrphaned } from '../parent-watch.ts';

/** Runs the embedded API server in the foreground until Ctrl-C / SIGTERM, or until its parent process is gone. */
export const sandboxCommand: Command = {
  name: 'sandbox',
  summary: 'Run the embedded sandbox Kubernetes API server (and a fake task manager) in the foreground',
  usage: 'kubectl-task sandbox [--port N] [--kubeconfig PATH (default: a temp file, removed on exit)] [--tls|--insecure] [--server-version 1.26] [--no-controller] [--controller-delay-ms N]',
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
    // The kubeconfig holds bearer tokens: unless the user chose its path, it lives in a directory of
    // ours that goes away on every way out. The 'exit' hook covers what skips finally blocks
    // (process.exit, an uncaught error); a SIGKILL of this very process is the one case left.
    const chosenPath = str(values['kubeconfig']);
    let ownDir: string | undefined;
    let kubeconfigPath: string;
    if (chosenPath === undefined) {
      ownDir = await mkdtemp(join(tmpdir(), 'kubectl-task-sandbox-'));
      kubeconfigPath = join(ownDir, 'kubeconfig');
    } else {
      kubeconfigPath = chosenPath;
    }
    const removeOwnDir = (): void => {
      if (ownDir !== undefined) rmSync(ownDir, { recursive: true, force: true });
    };
    process.once('exit', removeOwnDir);
    const lifetime = exitWhenOrphaned(signal);
    try {
      const sandbox = await startSandbox({
        port,
        tls: values['insecure'] !== true,
        kubeconfigPath,
        ...(version === undefined ? {} : { version }),
        controller: values['no-controller'] === true ? false : { delayMs, log: (line: string) => out.stderr(`${line}\n`) },
      });
      try {
        out.stdout(`sandbox ready: KUBECONFIG=${sandbox.kubeconfigPath}\n`);
        out.stderr(`API server ${sandbox.url}; contexts: admin, executor. Ctrl-C stops it.\n`);
        await aborted(lifetime.signal);
      } finally {
        await sandbox.close();
      }
    } finally {
      lifetime.stop();
      removeOwnDir();
      process.off('exit', removeOwnDir);
    }
    // Said after the cleanup: with the parent gone, writing may fail (EPIPE) and end the process.
    out.stderr(lifetime.orphaned() ? 'sandbox stopped: the process that started it is gone\n' : 'sandbox stopped\n');
    return EXIT.ok;
  },
};
