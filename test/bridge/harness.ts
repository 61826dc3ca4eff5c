/** A bridge over PassThrough streams, with its output collected line by line. */
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { serveBridge, type BridgeSummary, type ServeBridgeOptions } from '../../src/bridge/server.ts';
import { FakeEngine } from './fake-engine.ts';

export type Line = Record<string, unknown>;

/** Polls until `check` holds: for state outside the output (what the engine was asked). */
export async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs}ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export interface Harness {
  readonly engine: FakeEngine;
  readonly input: PassThrough;
  readonly output: PassThrough;
  readonly lines: Line[];
  readonly logs: string[];
  readonly done: Promise<BridgeSummary>;
  send(message: Record<string, unknown> | string): void;
  /** Resolves with the first line (in order) matching, waiting for it if needed. */
  waitFor(match: (line: Line) => boolean, timeoutMs?: number): Promise<Line>;
  responseTo(id: string | number | null): Promise<Line>;
  responses(): Line[];
}

const LineSchema = z.record(z.string(), z.unknown());

export function startHarness(options: { engine?: FakeEngine; bridge?: Partial<Omit<ServeBridgeOptions, 'engine' | 'input' | 'output'>> } = {}): Harness {
  const engine = options.engine ?? new FakeEngine();
  const input = new PassThrough();
  const output = new PassThrough();
  const lines: Line[] = [];
  const logs: string[] = [];
  const waiters = new Set<() => void>();
  let rest = '';
  output.setEncoding('utf8');
  output.on('data', (chunk: string) => {
    rest += chunk;
    let newline = rest.indexOf('\n');
    while (newline !== -1) {
      // Every output line must be a whole JSON value: JSON.parse throws (and fails the test) otherwise.
      lines.push(LineSchema.parse(JSON.parse(rest.slice(0, newline))));
      rest = rest.slice(newline + 1);
      newline = rest.indexOf('\n');
    }
    for (const wake of waiters) wake();
  });
  const done = serveBridge({ engine, input, output, log: (line) => logs.push(line), version: '0.0.0-test', ...options.bridge });
  done.catch(() => undefined);
  const waitFor = (match: (line: Line) => boolean, timeoutMs = 5000): Promise<Line> =>
    new Promise<Line>((resolve, reject) => {
      const check = (): boolean => {
        const found = lines.find(match);
        if (found === undefined) return false;
        waiters.delete(wake);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`no matching line within ${timeoutMs}ms; lines: ${JSON.stringify(lines)}`));
      }, timeoutMs);
      if (!check()) waiters.add(wake);
    });
  return {
    engine,
    input,
    output,
    lines,
    logs,
    done,
    send: (message) => void input.write(typeof message === 'string' ? message : `${JSON.stringify(message)}\n`),
    waitFor,
    responseTo: (id) => waitFor((line) => line['type'] === 'response' && line['id'] === id),
    responses: () => lines.filter((line) => line['type'] === 'response'),
  };
}
