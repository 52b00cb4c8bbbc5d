import * as vscode from 'vscode';
import { DEFAULT_TARGET, isTargetKind, type TargetKind } from '../core/target';
import type { AwsSessionOptions } from '../core/aws/session';
import { imageBuildSettings, type ImageBuildSettings } from '../core/image/buildSettings';
import { DEFAULT_TARGET_INVOCATIONS } from '../core/jobs/endpointCapacity';
import type { JobsViewTargets } from './views/jobsModel';

const SECTION = 'tfod';

/** The target of the first workspace folder (or the user's), never anything but a known kind. */
export function getTarget(scope?: vscode.ConfigurationScope): TargetKind {
  const value = vscode.workspace.getConfiguration(SECTION, scope).get<string>('target');
  return isTargetKind(value) ? value : DEFAULT_TARGET;
}

/** Which targets the jobs view lists (`tfod.jobs.targets`): `all` (the default) or `selected`. */
export function getJobsViewTargets(): JobsViewTargets {
  const value = vscode.workspace.getConfiguration(SECTION).get<string>('jobs.targets');
  return value === 'selected' ? 'selected' : 'all';
}

/** Stores the target where the user will look for it: the workspace when one is open. */
export async function setTarget(kind: TargetKind): Promise<void> {
  const where = vscode.workspace.workspaceFolders?.length
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration(SECTION).update('target', kind, where);
}

/** Stores an AWS setting (`profile` or `region`); an empty value removes it. Never a credential. */
export async function setAwsSetting(key: 'profile' | 'region', value: string): Promise<void> {
  const where = vscode.workspace.workspaceFolders?.length
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration(`${SECTION}.aws`).update(key, value || undefined, where);
}

export function getAwsSessionOptions(): AwsSessionOptions {
  const config = vscode.workspace.getConfiguration(`${SECTION}.aws`);
  return {
    profile: config.get<string>('profile') || undefined,
    region: config.get<string>('region') || undefined,
  };
}

/**
 * `tfod.image.buildArgs` and `tfod.image.caCertificates`, checked (a UserError naming the setting
 * when wrong); a relative certificate path is relative to the first workspace folder.
 */
export function getImageBuildSettings(): ImageBuildSettings {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const config = vscode.workspace.getConfiguration(`${SECTION}.image`, folder?.uri);
  return imageBuildSettings(
    { buildArgs: config.get('buildArgs'), caCertificates: config.get('caCertificates') },
    folder?.uri.fsPath,
  );
}

/** `tfod.endpoint.targetInvocations`: invocations per instance per minute an autoscaled endpoint holds. */
export function getEndpointTargetInvocations(): number {
  const value = vscode.workspace
    .getConfiguration(SECTION)
    .get<number>('endpoint.targetInvocations');
  return typeof value === 'number' && Number.isFinite(value) && value > 0
    ? value
    : DEFAULT_TARGET_INVOCATIONS;
}

export function affectsTfod(event: vscode.ConfigurationChangeEvent, key = SECTION): boolean {
  return event.affectsConfiguration(key);
}
