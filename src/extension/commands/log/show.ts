import type { TfodContext } from '../../context';

/** tfod.log.show: reveal the extension's log (Output > Object Detection). */
export function showLog(ctx: TfodContext): void {
  ctx.log.show(true);
}
