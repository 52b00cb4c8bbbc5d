import type { Command } from 'commander';
import {
  betterText,
  classVerdict,
  compareReports,
  readReportFile,
  signedDelta,
  SUMMARY_NAMES,
  type EvaluationComparison,
} from '../../core/evaluation';
import { output, table } from './targetOptions';

/**
 * `tfod evaluate compare <a.json> <b.json> [--json]`: two evaluations that `tfod evaluate --json`
 * (or a report's Export JSON) wrote, side by side with B − A, as the report's comparison shows them.
 */
export function register(evaluate: Command): void {
  evaluate
    .command('compare')
    .description(
      'Compare two evaluations written by `tfod evaluate --json`: the COCO metrics and AP per class side by side with B − A',
    )
    .argument('<a.json>', 'the first evaluation (A)')
    .argument('<b.json>', 'the evaluation compared with it (B)')
    .option('--json', 'print the comparison as JSON (metrics, classes, cautions)')
    .action(async (a: string, b: string, _options: unknown, command: Command) => {
      const { out, err } = output(command);
      // `evaluate` has a --json of its own, and commander gives a parent's options to the parent
      // wherever they stand: `tfod evaluate compare a b --json` sets evaluate's.
      const options = command.optsWithGlobals<{ json?: boolean }>();
      const comparison = compareReports(await readReportFile(a), await readReportFile(b));
      for (const caution of comparison.cautions)
        err(`tfod: warning: not the same data: ${caution}\n`);
      out(options.json ? `${JSON.stringify(comparison, null, 2)}\n` : formatComparison(comparison));
    });
}

const fixed = (value: number | undefined) =>
  value === undefined ? '' : value < 0 ? '-1' : value.toFixed(3);

export function formatComparison(comparison: EvaluationComparison): string {
  const evaluations = (['a', 'b'] as const).map((side) => {
    const e = comparison[side];
    return [side.toUpperCase(), e.model, `${e.images} images`, e.createdAt];
  });
  const metrics = comparison.metrics.map((m) => [
    m.key,
    SUMMARY_NAMES[m.key],
    fixed(m.a),
    fixed(m.b),
    signedDelta(m.delta),
    betterText(m.better),
  ]);
  const classes = comparison.classes.map((c) => [
    String(c.categoryId),
    c.name ?? '',
    `${c.a?.groundTruth ?? '–'} / ${c.b?.groundTruth ?? '–'}`,
    fixed(c.a?.AP),
    fixed(c.b?.AP),
    signedDelta(c.delta),
    classVerdict(c),
  ]);
  return [
    table(evaluations),
    table([['metric', 'what', 'A', 'B', 'B − A', 'better'], ...metrics]),
    classes.length === 0
      ? 'No class has ground truth in either evaluation.\n'
      : table([['class', 'name', 'objects A / B', 'A AP', 'B AP', 'B − A', 'better'], ...classes]),
  ].join('\n');
}
