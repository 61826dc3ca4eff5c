/** What the fleet and bridge tests share: a Task template with a companion, and a recording runner. */
import { Kubectl, type KubectlOptions } from '../../src/kubectl/runner.ts';
import type { FleetStatusUpdate } from '../../src/fleet/types.ts';
import { isTerminal } from '../../src/task/states.ts';
import type { TaskCluster } from './task-cluster.ts';

export const FLEET_TEMPLATE = `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: \${TASK_NAME}
  annotations:
    kubectl-task.io/fake-error-on: "\${FAIL_ON:-never}"
spec:
  state: \${STATE:-standby}
  control:
    mode: direct
    port: 31000
  properties:
    detector: \${DETECTOR:-TPC}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: \${TASK_NAME}-config
data:
  detector: \${DETECTOR:-TPC}
`;

/** A runner on the cluster that records every argv it spawns (long-lived streams apart). */
export function recordingKubectl(cluster: TaskCluster, extra: Partial<KubectlOptions> = {}): { kubectl: Kubectl; spawns: string[][]; streams: string[][] } {
  const spawns: string[][] = [];
  const streams: string[][] = [];
  const base = cluster.kubectl;
  const kubectl = new Kubectl({
    ...base.connection,
    env: { ...process.env, KUBECONFIG: cluster.kubeconfig },
    timeoutMs: 30_000,
    onAttempt: (event) => spawns.push([...event.argv]),
    ...extra,
  });
  const stream = kubectl.stream.bind(kubectl);
  kubectl.stream = (args, options) => {
    streams.push([...args]);
    return stream(args, options);
  };
  return { kubectl, spawns, streams };
}

/**
 * Checks one task's pushed updates: seq 1, 2, 3… with no gap, no two equal in a row, and at most
 * one terminal state, at the end. Returns the (state or taskState) sequence for exact assertions.
 */
export function checkUpdates(updates: readonly FleetStatusUpdate[], taskId: string): string[] {
  const mine = updates.filter((u) => u.taskId === taskId);
  mine.forEach((u, i) => {
    if (u.seq !== i + 1) throw new Error(`${taskId}: update ${i} has seq ${u.seq}`);
    const previous = mine[i - 1];
    if (previous !== undefined && previous.state === u.state && previous.taskState === u.taskState)
      throw new Error(`${taskId}: duplicate update ${u.state}/${u.taskState ?? '-'} at seq ${u.seq}`);
    if (isTerminal(u.state) && i !== mine.length - 1) throw new Error(`${taskId}: ${u.state} at seq ${u.seq} is followed by more updates`);
  });
  return mine.map((u) => (u.state === 'TASK_RUNNING' ? (u.taskState ?? u.state) : u.state));
}
