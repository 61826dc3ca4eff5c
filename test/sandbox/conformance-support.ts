/** Manifests the recordings' working directory held, and the output normalisation. */

const t1 = (state: string, extra = ''): string => `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: t1
  namespace: rec
  labels:
    app.kubernetes.io/managed-by: kubectl-task
spec:
  state: ${state}
  control:
    mode: direct
    port: 31000
${extra}`;

export const MANIFESTS: Record<string, string> = {
  't1.yaml': t1('standby'),
  't1-running.yaml': t1('running'),
  't1-bad-state.yaml': t1('bogus'),
  't1-bad-bind.yaml': t1('standby', '  bind:\n  - name: readout\n    type: push\n'),
  'multi.yaml': `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: m1
  namespace: rec
  labels:
    app.kubernetes.io/managed-by: kubectl-task
spec:
  state: standby
  control:
    mode: direct
    port: 31000
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: readout-config
  namespace: rec
data:
  readout-cfg.ini: |
    [readout]
    aggregatorSliceTimeout=0.5
`,
  'other-ns.yaml': `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: t9
  namespace: does-not-exist
  labels:
    app.kubernetes.io/managed-by: kubectl-task
spec:
  state: standby
  control:
    mode: direct
    port: 31000
`,
};

/** Replaces what differs between two servers and two runs; keeps everything kubectl decided. */
export function normalise(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uid>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, '<time>')
    .replace(/("resourceVersion":\s*)"\d+"/g, '$1"<rv>"')
    .replace(/(resourceVersion:\s*)"\d+"/g, '$1"<rv>"')
    .replace(/^[EWI]\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ /gm, '<klog> ')
    .replace(/(127\.0\.0\.1|localhost):\d+/g, '<host>')
    .replace(/\b\d+(\.\d+)?(s|m|h|d)\b(?=\s*$)/gm, '<age>')
    .replace(/[ \t]+$/gm, '')
    .replace(/ {2,}/g, ' ');
}
