import * as vscode from 'vscode';
import { listProfiles } from '../../../core/aws/profiles';
import { getAwsSessionOptions, setAwsSetting } from '../../config';
import type { TfodContext } from '../../context';

const DEFAULT_CHAIN = '';

/** tfod.aws.selectProfile: pick a named profile from ~/.aws, or the SDK's default chain. */
export async function selectAwsProfile(ctx: TfodContext): Promise<string | undefined> {
  const current = getAwsSessionOptions().profile ?? DEFAULT_CHAIN;
  const profiles = await listProfiles();
  const items: Array<vscode.QuickPickItem & { profile: string }> = [
    {
      profile: DEFAULT_CHAIN,
      label: vscode.l10n.t('Default credential chain'),
      description: current === DEFAULT_CHAIN ? vscode.l10n.t('(current)') : undefined,
      detail: vscode.l10n.t(
        'Environment variables, AWS_PROFILE, then the default profile, SSO and instance roles',
      ),
    },
    ...profiles.map((p) => ({
      profile: p.name,
      label: p.name,
      description: [
        p.region,
        p.sso ? 'SSO' : undefined,
        p.name === current ? vscode.l10n.t('(current)') : undefined,
      ]
        .filter(Boolean)
        .join(' · '),
      detail: vscode.l10n.t('from {0}', p.sources.map((s) => `~/.aws/${s}`).join(' and ')),
    })),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Object Detection: Select AWS Profile'),
    // Placeholders are plain text: no Markdown quotes.
    placeHolder: profiles.length
      ? vscode.l10n.t('Which AWS profile should the sagemaker target use?')
      : vscode.l10n.t("No profiles found in ~/.aws; run 'aws configure' to add one"),
  });
  if (!picked) return undefined;
  await setAwsSetting('profile', picked.profile);
  ctx.log.info(`AWS profile set to ${picked.profile || 'the default credential chain'}`);
  return picked.profile;
}
