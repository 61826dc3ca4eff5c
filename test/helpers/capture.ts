import type { Out } from '../../src/cli/printers.ts';

/** Captures what a CLI command writes, for in-process CLI tests. */
export function captureOut(): Out & { readonly stdoutText: () => string; readonly stderrText: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    stdoutText: () => stdout,
    stderrText: () => stderr,
  };
}
