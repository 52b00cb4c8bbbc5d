// Compares the .proto-derived facts of two schemas (docs aside): used by compare-with-protos.ts to
// check the built-in data against real protos, and tested on its own in compareSchemas.test.ts.

import type { FieldDef, NamedType, Schema } from '../../../src/schema';

/** Differences between `expected` and `actual` for the types reachable from `roots` in either. */
export function compareSchemas(
  expected: Schema,
  actual: Schema,
  roots: readonly string[],
): string[] {
  const out: string[] = [];
  const want = expected.reachableFrom(roots);
  const have = new Set(actual.reachableFrom(roots).map((t) => t.fullName));
  const wantNames = new Set(want.map((t) => t.fullName));
  for (const name of have) if (!wantNames.has(name)) out.push(`${name}: only in the protos`);
  for (const w of want) {
    const a = actual.get(w.fullName);
    if (!a || !have.has(w.fullName)) out.push(`${w.fullName}: missing from the protos`);
    else out.push(...compareType(w, a));
  }
  return out;
}

function compareType(w: NamedType, a: NamedType): string[] {
  const at = w.fullName;
  if (w.kind !== a.kind) return [`${at}: is a ${w.kind} here, a ${a.kind} in the protos`];
  if (w.kind === 'enum' && a.kind === 'enum') {
    const show = (t: typeof w) =>
      t.values.map((v) => `${v.name}=${v.number}${v.deprecated ? '!' : ''}`).join(' ');
    return show(w) === show(a) ? [] : [`${at}: values ${show(w)} vs ${show(a)}`];
  }
  if (w.kind !== 'message' || a.kind !== 'message') return [];
  const out: string[] = [];
  const same = (what: string, x: unknown, y: unknown): void => {
    if (JSON.stringify(x) !== JSON.stringify(y)) {
      out.push(`${at}: ${what} ${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
    }
  };
  same(
    'field names',
    w.fields.map((f) => f.name),
    a.fields.map((f) => f.name),
  );
  for (const f of w.fields) {
    const g = a.fields.find((x) => x.name === f.name);
    if (g) same(`field ${f.name}`, facts(f), facts(g));
  }
  same('oneofs', w.oneofs, a.oneofs);
  same('nested', [...w.nested].sort(), [...a.nested].sort());
  same('map entry', !!w.mapEntry, !!a.mapEntry);
  same('extension ranges', w.extensionRanges ?? [], a.extensionRanges ?? []);
  same('deprecated', !!w.deprecated, !!a.deprecated);
  return out;
}

function facts(f: FieldDef): unknown[] {
  const d = f.default;
  const shown =
    typeof d === 'number' && !Number.isFinite(d) ? String(d) : typeof d === 'bigint' ? `${d}n` : d;
  return [f.number, f.label, f.type, shown ?? null, f.oneof ?? null, !!f.deprecated];
}
