import type { Command } from 'commander';
import { register as registerConvert } from './data/convert';
import { register as registerInspect } from './data/inspect';

/** `tfod data <verb>`: datasets, from annotations to TFRecords and what TFRecords hold. */
export function register(program: Command): void {
  const data = program
    .command('data')
    .description(
      'Datasets: annotations to TFRecords (convert), and what TFRecord files hold (inspect)',
    );
  registerConvert(data);
  registerInspect(data);
}
