import * as vscode from 'vscode';

/**
 * tfod.palette.show: the Command Palette opened on this extension's commands. The palette matches
 * what it shows (category and title), not command ids or keywords, so typing the CLI's name,
 * `tfod`, found nothing; this command's title carries that name, and running it fills in the
 * category every command of ours shows ("Object Detection: ").
 */
export async function showAllCommands(): Promise<void> {
  await vscode.commands.executeCommand(
    'workbench.action.quickOpen',
    `>${vscode.l10n.t('Object Detection')}: `,
  );
}
