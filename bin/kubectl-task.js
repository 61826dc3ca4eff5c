#!/usr/bin/env -S node --
// Entry point on PATH (`kubectl-task`, and so the kubectl plugin `kubectl task`).
// The sources are TypeScript run through tsx, so there is no build step to forget.
// `node --` in the shebang: Node 20 otherwise treats our own `--env-file F` flag as its own and
// exits when F is missing, before this file runs.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
