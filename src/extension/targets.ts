import * as vscode from 'vscode';
import { UserError } from '../core/errors';
import type { Target } from '../core/jobs';
import { LocalTarget } from '../core/local';
import { SageMakerTarget } from '../core/sagemaker';
import type { TargetKind } from '../core/target';
import { affectsTfod, getAwsSessionOptions, getTarget } from './config';
import type { TfodContext } from './context';

/**
 * The targets the commands and the jobs view talk to, built on first use from the settings and
 * rebuilt when the AWS settings change. Also the one place that says "jobs changed": commands that
 * start, stop or deploy fire it and the jobs view refreshes.
 */
export class TargetService implements vscode.Disposable {
  private sagemaker: SageMakerTarget | undefined;
  private local: LocalTarget | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fired when a command changed jobs or endpoints, or the settings changed the targets. */
  readonly onDidChangeJobs = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (affectsTfod(event, 'tfod.aws')) this.reset();
      if (affectsTfod(event, 'tfod.target') || affectsTfod(event, 'tfod.aws')) this.jobsChanged();
    });
  }

  /** The target selected in the settings. */
  current(): TargetKind {
    return getTarget();
  }

  /** The target of `kind`, or undefined when it is not available in this build. */
  get(kind: TargetKind = this.current()): Target | undefined {
    if (kind === 'sagemaker') {
      this.sagemaker ??= new SageMakerTarget({ session: getAwsSessionOptions() });
      return this.sagemaker;
    }
    // The local target keeps its jobs under the first workspace folder's .tfod/.
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    this.local ??= new LocalTarget({ workspace: folder.uri.fsPath });
    return this.local;
  }

  /** Like get(), but says what to do when the target is not there. */
  require(kind: TargetKind = this.current()): Target {
    const target = this.get(kind);
    if (!target)
      throw new UserError(
        vscode.l10n.t('the local target keeps its jobs in the workspace, and no folder is open'),
        vscode.l10n.t(
          'Open your project folder (File > Open Folder), or select the sagemaker target',
        ),
      );
    return target;
  }

  /** The AWS region the SageMaker target resolved (for console links). */
  async sagemakerRegion(): Promise<string> {
    const target = this.get('sagemaker') as SageMakerTarget;
    return target.region();
  }

  jobsChanged(): void {
    this.changed.fire();
  }

  private reset(): void {
    this.sagemaker?.dispose();
    this.sagemaker = undefined;
  }

  private resetLocal(): void {
    this.local?.dispose();
    this.local = undefined;
  }

  dispose(): void {
    this.reset();
    this.resetLocal();
    this.subscription.dispose();
    this.changed.dispose();
  }
}

const services = new WeakMap<vscode.ExtensionContext, TargetService>();

/** The extension's one TargetService, disposed with it. */
export function targets(ctx: TfodContext): TargetService {
  let service = services.get(ctx.extension);
  if (!service) {
    service = new TargetService();
    services.set(ctx.extension, service);
    ctx.extension.subscriptions.push(service);
  }
  return service;
}
