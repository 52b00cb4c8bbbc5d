import * as vscode from 'vscode';
import { SAGEMAKER_REGIONS } from '../../../core/aws/regions';
import { getAwsSessionOptions, setAwsSetting } from '../../config';
import type { TfodContext } from '../../context';

/** tfod.aws.selectRegion: pick the region for the sagemaker target (or the profile's own). */
export async function selectAwsRegion(ctx: TfodContext): Promise<string | undefined> {
  const current = getAwsSessionOptions().region ?? '';
  const items: Array<vscode.QuickPickItem & { region: string }> = [
    {
      region: '',
      label: vscode.l10n.t("Profile's region"),
      description: current === '' ? vscode.l10n.t('(current)') : undefined,
      detail: vscode.l10n.t('AWS_REGION or the region of the selected profile'),
    },
    ...SAGEMAKER_REGIONS.map((r) => ({
      region: r.id,
      label: r.id,
      description: r.id === current ? vscode.l10n.t('{0} (current)', r.name) : r.name,
    })),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Object Detection: Select AWS Region'),
    matchOnDescription: true,
  });
  if (!picked) return undefined;
  await setAwsSetting('region', picked.region);
  ctx.log.info(`AWS region set to ${picked.region || "the profile's region"}`);
  return picked.region;
}
