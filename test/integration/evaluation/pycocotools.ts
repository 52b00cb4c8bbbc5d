import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testCacheDir } from '../harness/services';
import type { EvaluationCase } from './datasets';

/** What pycocotools' COCOeval computed for one case (see cocoeval_reference.py). */
export interface Reference {
  readonly stats: number[];
  readonly shape: [number, number, number, number, number];
  readonly precision: number[];
  readonly recall: number[];
  readonly scores: number[];
  readonly catIds: number[];
  readonly iouThrs: number[];
  readonly recThrs: number[];
}

/** The Python of the virtual environment test/harness/setup.sh installs pycocotools into. */
export function pycocotoolsPython(): string {
  const python = join(testCacheDir(), 'pycocotools', 'bin', 'python');
  if (!existsSync(python))
    throw new Error(
      `pycocotools is not installed at ${python}: run test/harness/setup.sh integration (npm run test:integration does)`,
    );
  return python;
}

/** Writes each case as COCO JSON under `dir` and runs pycocotools over all of them in one process. */
export function runPycocotools(
  dir: string,
  cases: readonly EvaluationCase[],
): Map<string, Reference> {
  for (const c of cases) {
    mkdirSync(join(dir, c.name), { recursive: true });
    writeFileSync(join(dir, c.name, 'gt.json'), JSON.stringify(c.dataset));
    writeFileSync(join(dir, c.name, 'dt.json'), JSON.stringify(c.results));
  }
  const result = spawnSync(pycocotoolsPython(), [join(__dirname, 'cocoeval_reference.py'), dir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(
      `pycocotools failed (exit ${result.status ?? result.signal}):\n${result.stderr.slice(-3000)}`,
    );
  return new Map(
    cases.map((c) => [
      c.name,
      JSON.parse(readFileSync(join(dir, c.name, 'reference.json'), 'utf8')) as Reference,
    ]),
  );
}
