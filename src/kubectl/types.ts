import type { KubectlReason } from '../errors.ts';
import type { JsonValue } from '../json.ts';

/**
 * Shared vocabulary of the kubectl layer. Everything that talks to a cluster goes through
 * one runner (src/kubectl/runner.ts) and reports with these shapes.
 */

/** One result shape for success and failure alike (modelled on execa's result). */
export interface KubectlResult {
  /** argv as run, with secrets (tokens, passwords) replaced by `<redacted>`. */
  readonly argv: readonly string[];
  /** null when the process never ran (spawn failure) or was killed by a signal. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  readonly timedOut: boolean;
  /** Set when the binary could not be started at all (ENOENT, EACCES). */
  readonly spawnError?: string;
  /** The signal that ended kubectl (SIGTERM after stop() or a timeout), when one did. */
  readonly signal?: string;
}

/** Reasons worth another try: the cluster or the network may recover. */
export const TRANSIENT_REASONS: ReadonlySet<KubectlReason> = new Set<KubectlReason>(['Unreachable', 'Timeout', 'TooManyRequests', 'ServerError']);

/** A Kubernetes object addressed the way kubectl needs it. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** Absent for cluster-scoped objects. */
  readonly namespace?: string;
}

/** A Kubernetes object (manifest document or API response). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: JsonValue | undefined;
  };
  [key: string]: JsonValue | undefined | KubeObject['metadata'];
}
