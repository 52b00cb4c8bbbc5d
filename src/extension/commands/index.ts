import type { TfodContext } from '../context';
import { selectAwsProfile } from './aws/selectProfile';
import { selectAwsRegion } from './aws/selectRegion';
import { showLog } from './log/show';
import { registerCommand } from './registerCommand';
import { selectTarget } from './target/select';

/** Every palette command, by id; package.json contributes exactly these (a unit test checks). */
export const COMMANDS = {
  'tfod.target.select': selectTarget,
  'tfod.log.show': showLog,
  'tfod.aws.selectProfile': selectAwsProfile,
  'tfod.aws.selectRegion': selectAwsRegion,
} as const;

export function registerCommands(ctx: TfodContext): void {
  for (const [id, handler] of Object.entries(COMMANDS)) {
    registerCommand(ctx, id, handler as (ctx: TfodContext, ...args: unknown[]) => unknown);
  }
}
