import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The import graph, folder by folder: apps depend on libs and never the other
 * way, a lib never depends on another that depends on it, and inside each app
 * the feature folders depend on each other in one direction only.
 */
const ROOT = resolve(__dirname, '..');

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm;

const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((match) => match[1] ?? match[2]);

/** An app's folder under src/ ("." for the composition root's own files), or a lib's name. */
const nodeOf = (path: string): string | null => {
  const parts = relative(ROOT, path).split(sep);
  if (parts[0] === 'libs') return `lib:${parts[1]}`;
  if (parts[0] === 'apps') return `${parts[1]}:${parts.length > 4 ? parts[3] : '.'}`;
  return null;
};

const graph = (): Map<string, Set<string>> => {
  const edges = new Map<string, Set<string>>();
  for (const file of [...sourceFiles(join(ROOT, 'apps')), ...sourceFiles(join(ROOT, 'libs'))]) {
    const from = nodeOf(file)!;
    const targets = edges.get(from) ?? new Set<string>();
    edges.set(from, targets);
    for (const specifier of importsOf(file)) {
      const to = specifier.startsWith('@sps/')
        ? `lib:${specifier.slice('@sps/'.length)}`
        : specifier.startsWith('.')
          ? nodeOf(resolve(dirname(file), specifier))
          : null;
      if (to && to !== from) targets.add(to);
    }
  }
  return edges;
};

/** Every cycle's folders, found by a depth-first walk; none when the graph points one way. */
const cycles = (edges: Map<string, Set<string>>): string[][] => {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    path.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of [...edges.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
};

describe('folder dependencies', () => {
  const edges = graph();

  it('sees the folders of both apps and every lib', () => {
    const nodes = [...edges.keys()];
    expect(nodes).toEqual(
      expect.arrayContaining([
        'api:executions',
        'api:auth',
        'worker:execution',
        'worker:runtime',
        'lib:queue',
        'lib:redis',
      ]),
    );
  });

  it('has libs that never import an app', () => {
    const upward = [...edges].flatMap(([from, to]) =>
      from.startsWith('lib:') ? [...to].filter((t) => !t.startsWith('lib:')).map((t) => `${from} -> ${t}`) : [],
    );
    expect(upward).toEqual([]);
  });

  it('has no cycle between folders, in the apps or among the libs', () => {
    expect(cycles(edges).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const ring = new Map([
      ['worker:a', new Set(['worker:b'])],
      ['worker:b', new Set(['worker:c'])],
      ['worker:c', new Set(['worker:a'])],
    ]);
    expect(cycles(ring)).toEqual([['worker:a', 'worker:b', 'worker:c', 'worker:a']]);
  });
});
