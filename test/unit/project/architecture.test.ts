import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';

// docs/architecture.md: imports go one way, extension -> core/server -> schema/textproto/detection,
// and only src/extension/ may import 'vscode'. These checks make the rule fail loudly.
const root = join(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|mts|cts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)].map(
    (m) => m[1] ?? '',
  );
}

const layerOf = (file: string): string => relative(join(root, 'src'), file).split(sep)[0] ?? '';

describe('architecture', () => {
  const files = ['src', 'container/src', 'media']
    .map((dir) => join(root, dir))
    .filter((dir) => {
      try {
        return statSync(dir).isDirectory();
      } catch {
        return false;
      }
    })
    .flatMap(sources);

  it('finds the sources it checks', () => {
    assert.ok(files.some((f) => f.includes(`${sep}extension${sep}`)));
    assert.ok(files.some((f) => f.includes(`${sep}core${sep}`)));
  });

  it("only src/extension/ imports 'vscode'", () => {
    const offenders = files.filter(
      (file) =>
        !relative(root, file).startsWith(`src${sep}extension${sep}`) &&
        imports(file).includes('vscode'),
    );
    assert.deepEqual(
      offenders.map((f) => relative(root, f)),
      [],
    );
  });

  it('lower layers never import higher ones', () => {
    // layer -> layers it must not import
    const forbidden: Record<string, string[]> = {
      core: ['extension', 'server', 'cli'],
      server: ['extension', 'cli'],
      cli: ['extension', 'server'],
      textproto: ['extension', 'server', 'cli', 'core', 'schema', 'detection'],
      schema: ['extension', 'server', 'cli', 'core', 'detection'],
      detection: ['extension', 'server', 'cli', 'core', 'schema'],
    };
    const violations: string[] = [];
    for (const file of files.filter((f) => relative(root, f).startsWith(`src${sep}`))) {
      const layer = layerOf(file);
      for (const spec of imports(file).filter((s) => s.startsWith('.'))) {
        const resolved = join(file, '..', spec);
        const target = layerOf(resolved);
        // core/errors.ts is a leaf (it imports nothing) that every layer may use for UserError.
        if (relative(join(root, 'src'), resolved) === join('core', 'errors')) continue;
        if (forbidden[layer]?.includes(target))
          violations.push(`${relative(root, file)} -> ${spec}`);
      }
    }
    assert.deepEqual(violations, []);
  });

  it('container code reaches src/ only through its shared, vscode-free layers', () => {
    const allowed = new Set(['core', 'detection', 'textproto', 'schema']);
    const violations: string[] = [];
    for (const file of files.filter((f) => relative(root, f).startsWith(`container${sep}`))) {
      for (const spec of imports(file).filter((s) => s.includes('/src/'))) {
        const target = relative(join(root, 'src'), join(file, '..', spec)).split(sep)[0] ?? '';
        if (!allowed.has(target)) violations.push(`${relative(root, file)} -> ${spec}`);
      }
    }
    assert.deepEqual(violations, []);
  });
});
