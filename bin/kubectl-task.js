#!/usr/bin/env node
// Entry point on PATH (`kubectl-task`, and so the kubectl plugin `kubectl task`).
// The sources are TypeScript run through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
