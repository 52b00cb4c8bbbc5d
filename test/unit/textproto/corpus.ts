// Finds the shared text-format corpus (real Object Detection configs, label maps and mutants).
// CI has it at ../shared/corpus next to the repository; TFOD_CORPUS overrides. A missing corpus is
// a failure, not a skip: these checks are the evidence that the parser agrees with the API.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export function corpusDir(): string {
  const dir = process.env.TFOD_CORPUS ?? resolve(__dirname, '../../../../shared/corpus');
  assert.ok(
    existsSync(join(dir, 'verdicts.tsv')),
    `The text-format corpus is missing at ${dir}: put it at ../shared/corpus next to the repository or set TFOD_CORPUS.`,
  );
  return dir;
}

export interface CorpusFile {
  name: string;
  text: string;
}

/** The real configs (tf1/*.config) and label maps (labelmaps/*.pbtxt). */
export function realFiles(): CorpusFile[] {
  const dir = corpusDir();
  const files: CorpusFile[] = [];
  for (const [sub, ext] of [
    ['tf1', '.config'],
    ['labelmaps', '.pbtxt'],
  ] as const) {
    for (const name of readdirSync(join(dir, sub)).sort())
      if (name.endsWith(ext))
        files.push({ name: `${sub}/${name}`, text: readFileSync(join(dir, sub, name), 'utf8') });
  }
  return files;
}

export interface Mutant {
  id: string;
  file: string;
  kind: string;
  detail: string;
  pyValid: boolean;
  protocValid: boolean;
  /** Python's message, `error: LINE:COL : ...` or `ok`. */
  pyVerdict: string;
  bytes: Uint8Array;
}

export function mutants(): Mutant[] {
  const dir = join(corpusDir(), 'mutants');
  const [header, ...rows] = readFileSync(join(dir, 'verdicts.tsv'), 'utf8').trim().split('\n');
  const columns = (header ?? '').split('\t');
  const col = (name: string) => {
    const index = columns.indexOf(name);
    assert.ok(index >= 0, `mutants/verdicts.tsv has no column ${name}`);
    return index;
  };
  const [id, file, kind, detail, py, protoc, pyVerdict] = [
    col('id'),
    col('file'),
    col('mutation_kind'),
    col('detail'),
    col('py_merge_valid'),
    col('protoc_valid'),
    col('py_merge_verdict'),
  ];
  return rows.map((row) => {
    const cells = row.split('\t');
    const name = cells[file] ?? '';
    return {
      id: cells[id] ?? '',
      file: name,
      kind: cells[kind] ?? '',
      detail: cells[detail] ?? '',
      pyValid: cells[py] === 'valid',
      protocValid: cells[protoc] === 'valid',
      pyVerdict: cells[pyVerdict] ?? '',
      bytes: new Uint8Array(readFileSync(join(dir, name))),
    };
  });
}
