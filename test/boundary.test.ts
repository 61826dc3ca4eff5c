/**
 * The module boundaries, read from the import graph of src: every `import`, `import type`,
 * `export … from`, `import()` and `import('…')` type of every .ts file under src.
 *
 * - A product module (render, manifest, kubectl, task, watch, fleet, bridge, cli, index.ts) never
 *   imports src/sandbox, not even for a type. Three CLI commands load it on demand, each with a
 *   dynamic import() of the one module it needs (ON_DEMAND).
 * - The sandbox imports no product module but src/json.ts. The fake controller
 *   (src/sandbox/controller), a kubectl client, may also use the kubectl runner (src/kubectl), the
 *   watch helpers (src/watch) and the clock seam they take (src/clock.ts).
 * - Only src/kubectl/spawn.ts imports execa.
 * - The folders of src/sandbox import each other without a cycle (src/sandbox/README.md has the map).
 *
 * - No file of src is over 300 lines or has a line over 160 characters (one concern per module).
 *
 * The checks are functions of the graph, and the last tests plant violations to see each one fail.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import ts from 'typescript';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');

interface ImportEdge {
  /** The importing file, relative to the repository: `src/task/kubectl-task.ts`. */
  readonly from: string;
  /** The imported file for a relative specifier (`src/json.ts`), else the specifier (`execa`, `node:fs`). */
  readonly to: string;
  /** `type`: erased at run time (`import type`, `export type … from`, `import('…')` types). */
  readonly kind: 'static' | 'type' | 'dynamic';
}

/** The imports of one file, `from` being its path relative to the repository. */
function importsOf(from: string, text: string): ImportEdge[] {
  const source = ts.createSourceFile(from, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (specifier: ts.Node | undefined, kind: ImportEdge['kind']): void => {
    if (specifier === undefined) return;
    if (!ts.isStringLiteralLike(specifier)) {
      // An import() of a computed specifier cannot be checked: it counts as a violation of its own.
      edges.push({ from, to: `<computed: ${specifier.getText(source)}>`, kind });
      return;
    }
    const spec = specifier.text;
    const to = spec.startsWith('.') ? posix.normalize(posix.join(posix.dirname(from), spec)) : spec;
    edges.push({ from, to, kind });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(node.moduleSpecifier, node.importClause?.isTypeOnly === true ? 'type' : 'static');
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) {
      add(node.moduleSpecifier, node.isTypeOnly ? 'type' : 'static');
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly ? 'type' : 'static');
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], 'dynamic');
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, 'type');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** The imports of every .ts file under `root`/src. */
function importGraph(root: string): ImportEdge[] {
  return [...sourceFiles(root)].flatMap(([file, text]) => importsOf(file, text));
}

const SANDBOX = 'src/sandbox/';
const CONTROLLER = 'src/sandbox/controller/';
/** The CLI commands that load the sandbox on demand, and what each loads. */
const ON_DEMAND: Readonly<Record<string, readonly string[]>> = {
  'src/cli/commands/sandbox.ts': ['src/sandbox/index.ts'],
  'src/cli/commands/demo.ts': ['src/sandbox/index.ts'],
  'src/cli/commands/fake-controller.ts': ['src/sandbox/controller/cli.ts'],
};
/** What the fake controller may import of the product besides src/json.ts. */
const CONTROLLER_MAY_USE = (to: string): boolean => to.startsWith('src/kubectl/') || to.startsWith('src/watch/') || to === 'src/clock.ts';

const isSource = (to: string): boolean => to.startsWith('src/');
const isFile = (to: string): boolean => to.startsWith('src/') || to.startsWith('..') || /^(bench|scripts|test|examples|bin)\//.test(to);
const describeEdge = (e: ImportEdge): string => `${e.from} -> ${e.to} (${e.kind})`;

/** Every edge that breaks one of the rules above, worded. */
const MAX_LINES = 300;
const MAX_WIDTH = 160;

/** Files of src over MAX_LINES lines, and lines over MAX_WIDTH characters, as `file: what`. */
function sizeViolations(files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [file, text] of files) {
    const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    if (lines.length > MAX_LINES) found.push(`${file}: ${lines.length} lines`);
    lines.forEach((line, i) => {
      if (line.length > MAX_WIDTH) found.push(`${file}:${i + 1}: ${line.length} characters`);
    });
  }
  return found;
}

function sourceFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) files.set(relative(root, path).split(sep).join('/'), readFileSync(path, 'utf8'));
    }
  };
  walk(join(root, 'src'));
  return files;
}

function boundaryViolations(edges: readonly ImportEdge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const fromSandbox = e.from.startsWith(SANDBOX);
    const toSandbox = e.to.startsWith(SANDBOX);
    if (e.to.startsWith('<computed')) out.push(`import() of a computed specifier: ${describeEdge(e)}`);
    else if (isFile(e.to) && !isSource(e.to)) out.push(`src imports a file outside src: ${describeEdge(e)}`);
    if (!fromSandbox && toSandbox) {
      const allowed = e.kind === 'dynamic' && (ON_DEMAND[e.from] ?? []).includes(e.to);
      if (!allowed) out.push(`product module imports the sandbox: ${describeEdge(e)}`);
    }
    if (fromSandbox && isSource(e.to) && !toSandbox && e.to !== 'src/json.ts') {
      const allowed = e.from.startsWith(CONTROLLER) && CONTROLLER_MAY_USE(e.to);
      if (!allowed) out.push(`sandbox imports a product module: ${describeEdge(e)}`);
    }
    if ((e.to === 'execa' || e.to.startsWith('execa/')) && e.from !== 'src/kubectl/spawn.ts') {
      out.push(`execa imported outside src/kubectl/spawn.ts: ${describeEdge(e)}`);
    }
  }
  return out;
}

/** The folder of a sandbox file: `api` for src/sandbox/api/reads.ts, `.` for src/sandbox/index.ts. */
function sandboxFolder(file: string): string {
  const rest = file.slice(SANDBOX.length);
  return rest.includes('/') ? rest.slice(0, rest.indexOf('/')) : '.';
}

/**
 * The cycles of the folder graph of src/sandbox (type imports count: a folder that needs another's
 * types sits above it), each as the folders around it with one import that makes each step.
 */
function folderCycles(edges: readonly ImportEdge[]): string[][] {
  const witness = new Map<string, Map<string, ImportEdge>>();
  for (const e of edges) {
    if (!e.from.startsWith(SANDBOX) || !e.to.startsWith(SANDBOX)) continue;
    const a = sandboxFolder(e.from);
    const b = sandboxFolder(e.to);
    if (a === b) continue;
    if (!witness.has(a)) witness.set(a, new Map());
    if (!witness.get(a)!.has(b)) witness.get(a)!.set(b, e);
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (folder: string): void => {
    state.set(folder, 'open');
    path.push(folder);
    for (const next of [...(witness.get(folder)?.keys() ?? [])].sort()) {
      if (state.get(next) === 'open') {
        const loop = [...path.slice(path.indexOf(next)), next];
        cycles.push(loop.map((f, i) => (i + 1 < loop.length ? `${f} (${describeEdge(witness.get(f)!.get(loop[i + 1]!)!)})` : f)));
      } else if (state.get(next) === undefined) visit(next);
    }
    path.pop();
    state.set(folder, 'done');
  };
  for (const folder of [...witness.keys()].sort()) if (state.get(folder) === undefined) visit(folder);
  return cycles;
}

describe('module boundaries (the import graph of src)', () => {
  const graph = importGraph(REPO);
  const has = (from: string, to: string, kind: ImportEdge['kind']): boolean => graph.some((e) => e.from === from && e.to === to && e.kind === kind);

  it('reads static, type-only and dynamic imports of every file', () => {
    expect(new Set(graph.map((e) => e.from)).size).to.be.greaterThan(100);
    expect(has('src/sandbox/index.ts', 'src/sandbox/http/server.ts', 'static')).to.equal(true);
    expect(has('src/sandbox/api/reads.ts', 'src/sandbox/api/state.ts', 'type')).to.equal(true);
    expect(has('src/kubectl/spawn.ts', 'execa', 'static')).to.equal(true);
    for (const [from, targets] of Object.entries(ON_DEMAND)) for (const to of targets) expect(has(from, to, 'dynamic'), `${from} -> ${to}`).to.equal(true);
  });

  it('no product module imports the sandbox, the sandbox only json.ts of the product (its controller kubectl and watch too), only spawn.ts execa', () => {
    expect(boundaryViolations(graph)).to.deep.equal([]);
  });

  it(`no file of src is over ${MAX_LINES} lines or has a line over ${MAX_WIDTH} characters`, () => {
    expect(sizeViolations(sourceFiles(REPO))).to.deep.equal([]);
  });

  it('the folders of src/sandbox import each other without a cycle', () => {
    expect(folderCycles(graph)).to.deep.equal([]);
  });

  describe('fails on planted violations', () => {
    it('a product module that imports the sandbox: statically, for a type, re-exporting, or dynamically where not on demand', () => {
      const planted = importsOf(
        'src/task/planted.ts',
        [
          "import { meta } from '../sandbox/core/objects.ts';",
          "import type { SandboxState } from '../sandbox/api/state.ts';",
          "export { startSandbox } from '../sandbox/index.ts';",
          "export const load = () => import('../sandbox/index.ts');",
          "export type Server = import('../sandbox/http/server.ts').SandboxServer;",
        ].join('\n'),
      );
      expect(planted.map((e) => e.kind)).to.deep.equal(['static', 'type', 'static', 'dynamic', 'type']);
      expect(boundaryViolations(planted)).to.have.length(5);
      expect(boundaryViolations(planted).every((v) => v.startsWith('product module imports the sandbox'))).to.equal(true);
    });

    it('a CLI command that loads the sandbox statically, or loads another module than its own', () => {
      const statically = importsOf('src/cli/commands/sandbox.ts', "import { startSandbox } from '../../sandbox/index.ts';");
      const onDemand = importsOf('src/cli/commands/sandbox.ts', "const m = await import('../../sandbox/index.ts');");
      const another = importsOf('src/cli/commands/demo.ts', "const m = await import('../../sandbox/controller/cli.ts');");
      const computed = importsOf('src/cli/commands/demo.ts', 'const m = await import(`../../sandbox/${name}.ts`);');
      expect(boundaryViolations(statically)).to.have.length(1);
      expect(boundaryViolations(onDemand)).to.deep.equal([]);
      expect(boundaryViolations(another)).to.have.length(1);
      expect(boundaryViolations(computed)).to.deep.equal([
        'import() of a computed specifier: src/cli/commands/demo.ts -> <computed: `../../sandbox/${name}.ts`> (dynamic)',
      ]);
    });

    it('the sandbox importing a product module; the fake controller the kubectl runner (allowed) or the fleet (not)', () => {
      const server = importsOf(
        'src/sandbox/http/planted.ts',
        "import { Kubectl } from '../../kubectl/runner.ts';\nimport { isJsonObject } from '../../json.ts';",
      );
      const controller = importsOf(
        'src/sandbox/controller/planted.ts',
        [
          "import { Kubectl } from '../../kubectl/runner.ts';",
          "import { Backoff } from '../../watch/backoff.ts';",
          "import { TaskFleet } from '../../fleet/fleet.ts';",
        ].join('\n'),
      );
      expect(boundaryViolations(server)).to.deep.equal(['sandbox imports a product module: src/sandbox/http/planted.ts -> src/kubectl/runner.ts (static)']);
      expect(boundaryViolations(controller)).to.deep.equal([
        'sandbox imports a product module: src/sandbox/controller/planted.ts -> src/fleet/fleet.ts (static)',
      ]);
    });

    it('execa imported anywhere but src/kubectl/spawn.ts, and src importing a test helper', () => {
      const planted = importsOf('src/kubectl/runner.ts', "import { execa } from 'execa';\nimport { clock } from '../../test/helpers/clock.ts';");
      expect(boundaryViolations(planted)).to.have.length(2);
      expect(boundaryViolations(importsOf('src/kubectl/spawn.ts', "import { execa } from 'execa';"))).to.deep.equal([]);
    });

    it('a file over the line limit, and a line over the width', () => {
      const long = `${'x\n'.repeat(MAX_LINES)}y\n`;
      const wide = `const a = 1;\n${'z'.repeat(MAX_WIDTH + 1)}\n`;
      const exact = `${'x\n'.repeat(MAX_LINES - 1)}${'w'.repeat(MAX_WIDTH)}\n`;
      expect(
        sizeViolations(
          new Map([
            ['src/long.ts', long],
            ['src/wide.ts', wide],
            ['src/exact.ts', exact],
          ]),
        ),
      ).to.deep.equal([`src/long.ts: ${MAX_LINES + 1} lines`, `src/wide.ts:2: ${MAX_WIDTH + 1} characters`]);
    });

    it('a cycle between two folders of src/sandbox', () => {
      const planted: ImportEdge = { from: 'src/sandbox/core/objects.ts', to: 'src/sandbox/api/state.ts', kind: 'type' };
      const cycles = folderCycles([...graph, planted]);
      expect(cycles).to.have.length.greaterThan(0);
      expect(cycles.every((c) => c[0]!.startsWith('api') || c[0]!.startsWith('core'))).to.equal(true);
      expect(cycles.flat().join('\n')).to.include('src/sandbox/core/objects.ts -> src/sandbox/api/state.ts (type)');
    });

    it('violations in files on disk (a tree of its own)', () => {
      const root = mkdtempSync(join(tmpdir(), 'kubectl-task-boundary-'));
      try {
        mkdirSync(join(root, 'src', 'sandbox', 'core'), { recursive: true });
        mkdirSync(join(root, 'src', 'sandbox', 'api'), { recursive: true });
        mkdirSync(join(root, 'src', 'render'), { recursive: true });
        writeFileSync(join(root, 'src', 'sandbox', 'core', 'a.ts'), "import { b } from '../api/b.ts';\nexport const a = 1;\n");
        writeFileSync(join(root, 'src', 'sandbox', 'api', 'b.ts'), "import { a } from '../core/a.ts';\nimport { render } from '../../render/render.ts';\n");
        writeFileSync(join(root, 'src', 'render', 'render.ts'), "import type { Store } from '../sandbox/core/a.ts';\n");
        const edges = importGraph(root);
        expect(edges).to.have.length(4);
        expect(boundaryViolations(edges)).to.have.members([
          'sandbox imports a product module: src/sandbox/api/b.ts -> src/render/render.ts (static)',
          'product module imports the sandbox: src/render/render.ts -> src/sandbox/core/a.ts (type)',
        ]);
        expect(folderCycles(edges)).to.have.length(1);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  });
});
