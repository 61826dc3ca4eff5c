import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command, CommandIo, CommandOptions } from '../command.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { parse, type CommandLine } from '../flags.ts';
import { aborted, exitWhenOrphaned } from '../parent-watch.ts';
import { UsageError } from '../usage-error.ts';

const FLAGS = {
  port: { type: 'string' },
  kubeconfig: { type: 'string' },
  tls: { type: 'boolean' },
  insecure: { type: 'boolean' },
  'no-controller': { type: 'boolean' },
  'controller-delay-ms': { type: 'string' },
  'server-version': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface ServerVersion {
  readonly major: string;
  readonly minor: string;
  readonly gitVersion: string;
}

/** Runs the embedded API server in the foreground until Ctrl-C / SIGTERM, or until its parent process is gone. */
class SandboxOptions implements CommandOptions {
  private line!: CommandLine<typeof FLAGS>;
  private version: ServerVersion | undefined;
  private port = 0;
  private delayMs = 500;

  complete(argv: readonly string[]): void {
    this.line = parse('sandbox', argv, FLAGS);
    // The version /version reports decides which kubectl the Cloud SDK dispatcher runs, and
    // whether discovery is aggregated (1.27+) or legacy (1.26, the recordings).
    const raw = this.line.flags.serverVersion;
    if (raw === undefined) return;
    const match = /^v?1\.(\d+)(?:\.(\d+))?$/.exec(raw);
    if (match?.[1] === undefined) throw new UsageError(`sandbox: --server-version must look like 1.30 or v1.30.2, got "${raw}"`);
    this.version = { major: '1', minor: match[1], gitVersion: `v1.${match[1]}.${match[2] ?? '0'}` };
  }

  validate(): void {
    const { flags } = this.line;
    if (flags.tls && flags.insecure) throw new UsageError('sandbox: --tls and --insecure exclude each other');
    this.port = flags.port === undefined ? 0 : Number(flags.port);
    if (!Number.isInteger(this.port) || this.port < 0 || this.port > 65535) throw new UsageError(`sandbox: --port must be 0..65535, got ${flags.port}`);
    this.delayMs = flags.controllerDelayMs === undefined ? 500 : Number(flags.controllerDelayMs);
    if (!Number.isFinite(this.delayMs) || this.delayMs < 0) throw new UsageError(`sandbox: --controller-delay-ms must be a number >= 0`);
  }

  async run({ out, signal }: CommandIo): Promise<ExitCode> {
    const { flags } = this.line;
    const { startSandbox } = await import('../../sandbox/index.ts');
    // The kubeconfig holds bearer tokens: unless the user chose its path, it lives in a directory of
    // ours that goes away on every way out. The 'exit' hook covers what skips finally blocks
    // (process.exit, an uncaught error); a SIGKILL of this very process is the one case left.
    let ownDir: string | undefined;
    let kubeconfigPath: string;
    if (flags.kubeconfig === undefined) {
      ownDir = await mkdtemp(join(tmpdir(), 'kubectl-task-sandbox-'));
      kubeconfigPath = join(ownDir, 'kubeconfig');
    } else {
      kubeconfigPath = flags.kubeconfig;
    }
    const removeOwnDir = (): void => {
      if (ownDir !== undefined) rmSync(ownDir, { recursive: true, force: true });
    };
    process.once('exit', removeOwnDir);
    const lifetime = exitWhenOrphaned(signal);
    try {
      const sandbox = await startSandbox({
        port: this.port,
        tls: !flags.insecure,
        kubeconfigPath,
        ...(this.version === undefined ? {} : { version: this.version }),
        controller: flags.noController ? false : { delayMs: this.delayMs, log: (line: string) => out.stderr(`${line}\n`) },
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
  }
}

export const sandboxCommand: Command = {
  name: 'sandbox',
  summary: 'Run the embedded sandbox Kubernetes API server (and a fake task manager) in the foreground',
  usage:
    'kubectl-task sandbox [--port N] [--kubeconfig PATH (default: a temp file, removed on exit)] [--tls|--insecure] ' +
    '[--server-version 1.26] [--no-controller] [--controller-delay-ms N]',
  newOptions: () => new SandboxOptions(),
};
