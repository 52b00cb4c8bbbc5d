import * as vscode from 'vscode';
import { TARGETS, type TargetKind } from '../../../core/target';
import { getTarget, setTarget } from '../../config';
import type { TfodContext } from '../../context';

interface TargetItem extends vscode.QuickPickItem {
  readonly target: TargetKind;
}

/** tfod.target.select: pick where jobs and endpoints run; an argument skips the picker. */
export async function selectTarget(
  ctx: TfodContext,
  preset?: unknown,
): Promise<TargetKind | undefined> {
  const current = getTarget();
  let chosen: TargetKind | undefined = TARGETS.find((target) => target.kind === preset)?.kind;
  if (!chosen) {
    const items: TargetItem[] = TARGETS.map((target) => ({
      target: target.kind,
      label: target.label,
      description:
        target.kind === current ? vscode.l10n.t('{0} (current)', target.kind) : target.kind,
      detail: target.detail,
    }));
    const picked = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t('Object Detection: Select Target'),
      placeHolder: vscode.l10n.t('Where should training jobs and endpoints run?'),
    });
    chosen = picked?.target;
  }
  if (!chosen) return undefined;
  if (chosen !== current) {
    await setTarget(chosen);
    ctx.log.info(`target set to ${chosen}`);
  }
  return chosen;
}
