/** The benchmark's table, results file and plot. */
import type { RunMetrics } from './analysis.ts';
import type { StrategyName } from './protocol.ts';
import type { TargetCheck } from './targets.ts';

export interface SkippedRun {
  readonly strategy: StrategyName;
  readonly n: number;
  readonly reason: string;
}

export type TableRow = { readonly kind: 'run'; readonly metrics: RunMetrics } | { readonly kind: 'skipped'; readonly skipped: SkippedRun };

const fmt = (x: number, digits = 0): string => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const ms = (x: number): string => (Number.isFinite(x) ? (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)}`) : '–');

export const TABLE_HEADER = [
  'N',
  'strategy',
  'launch → RUNNING (s)',
  'transition p50 / p99 (ms)',
  'CONFIGURE batch (s)',
  'detection p50 / p99 (ms)',
  'kubectl spawned',
  'peak concurrent (window)',
  'long-lived (window)',
  'CPU per task-minute (CPU-ms)',
  'CPU total: ours + kubectl (s)',
  'kubectl peak RSS (private) (MiB)',
  'our peak RSS (MiB)',
  'lost / duplicate',
];

export function tableRows(rows: readonly TableRow[]): string[][] {
  return rows.map((row) => {
    if (row.kind === 'skipped') {
      const { n, strategy, reason } = row.skipped;
      return [String(n), strategy, `skipped: ${reason}`, '', '', '', '', '', '', '', '', '', '', ''];
    }
    const m = row.metrics;
    return [
      String(m.n),
      m.strategy,
      fmt(m.launchToRunningS, 1),
      `${ms(m.transitions.p50Ms)} / ${ms(m.transitions.p99Ms)}`,
      fmt(m.configureBatchS, 2),
      `${ms(m.detection.p50Ms)} / ${ms(m.detection.p99Ms)}`,
      String(m.processes.spawned),
      `${m.processes.peakConcurrent} (${m.processes.peakInWindow})`,
      String(m.processes.longLivedInWindow),
      fmt(m.cpu.perTaskMinute * 1000, m.cpu.perTaskMinute * 1000 < 10 ? 2 : 0),
      `${fmt(m.cpu.totalOurs, 1)} + ${fmt(m.cpu.totalKubectl, 1)}`,
      `${fmt(m.memory.kubectlPeakRssMiB)} (${fmt(m.memory.kubectlPeakAnonMiB)})`,
      fmt(m.memory.oursPeakRssMiB),
      `${m.updates.lost} / ${m.updates.duplicate}`,
    ];
  });
}

export function markdownTable(rows: readonly TableRow[]): string {
  const header = TABLE_HEADER;
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`];
  for (const cells of tableRows(rows)) {
    if (cells[2]?.startsWith('skipped') === true) lines.push(`| ${cells[0]} | ${cells[1]} | ${cells[2]} ${'| '.repeat(header.length - 3)}|`);
    else lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** A plain-text table for the terminal. */
export function textTable(rows: readonly TableRow[]): string {
  const header = [
    'N',
    'strategy',
    'launch s',
    'trans p50/p99 ms',
    'CONFIGURE s',
    'detect p50/p99 ms',
    'spawned',
    'peak (win)',
    'long',
    'CPU ms/task-min',
    'CPU s ours+kubectl',
    'kubectl MiB (priv)',
    'ours MiB',
    'lost/dup',
  ];
  const body = tableRows(rows);
  const widths = header.map((h, i) => Math.max(h.length, ...body.filter((r) => !(r[2] ?? '').startsWith('skipped')).map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [
    line(header),
    ...body.map((r) =>
      (r[2] ?? '').startsWith('skipped') ? `${(r[0] ?? '').padEnd(widths[0] ?? 0)}  ${(r[1] ?? '').padEnd(widths[1] ?? 0)}  ${r[2] ?? ''}` : line(r),
    ),
  ].join('\n');
}

export function summaryLines(checks: readonly TargetCheck[]): string[] {
  const counted = checks.filter((c) => c.applicable);
  const passed = counted.filter((c) => c.passed).length;
  return [
    ...checks.map((c) => `${c.applicable ? (c.passed ? 'PASS' : 'FAIL') : 'n/a '}  ${c.name}: ${c.detail}`),
    `bench: ${passed} passed, ${counted.length - passed} failed`,
  ];
}

const COLORS: Readonly<Record<StrategyName, string>> = { poll: '#d62728', watch: '#ff7f0e', fleet: '#1f77b4' };

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly value: (m: RunMetrics) => number;
}

/**
 * Cost against N, one line per strategy, log-log: CPU per task-minute during the hold window, and
 * the peak memory of kubectl children plus our process. Skipped runs are marked on the axis.
 */
export function renderSvg(runs: readonly RunMetrics[], skipped: readonly SkippedRun[], caption: string): string {
  const panels: Panel[] = [
    { title: 'CPU per task-minute (hold window)', unit: 'CPU-ms', value: (m) => m.cpu.perTaskMinute * 1000 },
    { title: 'peak memory: kubectl children + our process', unit: 'MiB RSS', value: (m) => m.memory.kubectlPeakRssMiB + m.memory.oursPeakRssMiB },
  ];
  const width = 1000;
  const height = 440;
  const panelW = 400;
  const panelH = 300;
  const top = 60;
  const ns = [...new Set([...runs.map((r) => r.n), ...skipped.map((s) => s.n)])].sort((a, b) => a - b);
  const xMin = Math.log10(Math.min(...ns) / 1.5);
  const xMax = Math.log10(Math.max(...ns) * 1.5);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="16">kubectl-task: cost of running N tasks (lower is better)</text>`,
    `<text x="${width / 2}" y="40" text-anchor="middle" fill="#555">${escapeXml(caption)}</text>`,
  ];
  panels.forEach((panel, p) => {
    const left = 75 + p * (panelW + 100);
    const values = runs.map(panel.value).filter((v) => v > 0 && Number.isFinite(v));
    const yMin = Math.floor(Math.log10(Math.min(...values, 1)));
    const yMax = Math.ceil(Math.log10(Math.max(...values, 10)));
    const x = (n: number): number => left + ((Math.log10(n) - xMin) / (xMax - xMin)) * panelW;
    const y = (v: number): number => top + panelH - ((Math.log10(v) - yMin) / (yMax - yMin)) * panelH;
    parts.push(`<rect x="${left}" y="${top}" width="${panelW}" height="${panelH}" fill="none" stroke="#999"/>`);
    parts.push(`<text x="${left + panelW / 2}" y="${top - 6}" text-anchor="middle" font-weight="bold">${escapeXml(panel.title)}</text>`);
    for (let e = yMin; e <= yMax; e++) {
      const yy = y(10 ** e);
      parts.push(`<line x1="${left}" x2="${left + panelW}" y1="${yy}" y2="${yy}" stroke="#eee"/>`);
      parts.push(`<text x="${left - 6}" y="${yy + 4}" text-anchor="end">${formatPower(e)}</text>`);
    }
    for (const n of ns) {
      const xx = x(n);
      parts.push(`<line x1="${xx}" x2="${xx}" y1="${top}" y2="${top + panelH}" stroke="#eee"/>`);
      parts.push(`<text x="${xx}" y="${top + panelH + 16}" text-anchor="middle">${n}</text>`);
    }
    parts.push(`<text x="${left + panelW / 2}" y="${top + panelH + 34}" text-anchor="middle">N (tasks)</text>`);
    parts.push(`<text transform="translate(${left - 48} ${top + panelH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(panel.unit)}</text>`);
    for (const strategy of ['poll', 'watch', 'fleet'] as const) {
      const points = runs
        .filter((r) => r.strategy === strategy)
        .sort((a, b) => a.n - b.n)
        .map((r) => ({ n: r.n, v: panel.value(r) }))
        .filter((pt) => pt.v > 0 && Number.isFinite(pt.v));
      if (points.length > 1)
        parts.push(
          `<polyline fill="none" stroke="${COLORS[strategy]}" stroke-width="2" points="${points.map((pt) => `${x(pt.n).toFixed(1)},${y(pt.v).toFixed(1)}`).join(' ')}"/>`,
        );
      for (const pt of points)
        parts.push(
          `<circle cx="${x(pt.n).toFixed(1)}" cy="${y(pt.v).toFixed(1)}" r="4" fill="${COLORS[strategy]}"><title>${strategy} N=${pt.n}: ${pt.v.toPrecision(3)} ${panel.unit}</title></circle>`,
        );
      for (const s of skipped.filter((k) => k.strategy === strategy)) {
        parts.push(
          `<text x="${x(s.n).toFixed(1)}" y="${top + 14 + 14 * ['poll', 'watch', 'fleet'].indexOf(strategy)}" text-anchor="middle" fill="${COLORS[strategy]}">× ${strategy}</text>`,
        );
      }
    }
  });
  const legendY = height - 26;
  (['poll', 'watch', 'fleet'] as const).forEach((strategy, i) => {
    const lx = 75 + i * 310;
    const label =
      strategy === 'poll' ? 'poll (original: get every 5 s)' : strategy === 'watch' ? 'watch (one kubectl watch per task)' : 'fleet (shared informer, batches)';
    parts.push(`<line x1="${lx}" x2="${lx + 24}" y1="${legendY}" y2="${legendY}" stroke="${COLORS[strategy]}" stroke-width="3"/>`);
    parts.push(`<text x="${lx + 30}" y="${legendY + 4}">${escapeXml(label)}</text>`);
  });
  parts.push(`<text x="${width - 10}" y="${height - 4}" text-anchor="end" fill="#777" font-size="10">× = not run at that N (the table says why)</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function formatPower(e: number): string {
  const v = 10 ** e;
  return v >= 1 ? v.toLocaleString('en-US') : String(Number(v.toPrecision(1)));
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
