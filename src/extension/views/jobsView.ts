import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { EndpointSummary } from '../../core/jobs/types';
import { describeTarget, type TargetKind } from '../../core/target';
import { affectsTfod, getJobsViewTargets } from '../config';
import type { TfodContext } from '../context';
import { targets } from '../targets';
import { setContextKey } from '../contextKeys';
import { dockerState, JobsModel, shownTargets } from './jobsModel';
import { JobsRefresh, UsedTargets } from './jobsRefresh';
import type { JobsNode } from './nodes';
import {
  endpointContextValue,
  endpointDescription,
  endpointLook,
  endpointTooltip,
  jobContextValue,
  modelContextValue,
  jobDescription,
  jobLook,
  jobTooltip,
  listingErrorRow,
  targetGroupDescription,
  targetGroupTooltip,
  type Look,
} from './presentation';

export const JOBS_VIEW_ID = 'tfod.views.jobs';
const POLL_INTERVAL_MS = 10_000;

function icon(look: Look): vscode.ThemeIcon {
  return new vscode.ThemeIcon(
    look.icon,
    look.color ? new vscode.ThemeColor(look.color) : undefined,
  );
}

/**
 * The jobs tree: one group per target (the selected one first, see JobsModel.groups), its training
 * jobs (newest first, a completed job's model beneath it) and its endpoints. With nothing to show
 * it has no items, so VS Code shows the view's welcome content (package.json `viewsWelcome`).
 */
class JobsTreeProvider implements vscode.TreeDataProvider<JobsNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly model: JobsModel,
    private readonly describeEndpoint: (
      kind: TargetKind,
      name: string,
      signal: AbortSignal,
    ) => Promise<EndpointSummary | undefined>,
  ) {}

  /**
   * A SageMaker endpoint's tooltip, on hover: its description adds the instance type and the
   * scaling (or serverless settings) that a listing does not carry, without a call per refresh.
   */
  async resolveTreeItem(
    item: vscode.TreeItem,
    node: JobsNode,
    token: vscode.CancellationToken,
  ): Promise<vscode.TreeItem> {
    if (node.type !== 'endpoint' || node.kind !== 'sagemaker') return item;
    const controller = new AbortController();
    const cancelled = token.onCancellationRequested(() => controller.abort());
    try {
      const described = await this.describeEndpoint(
        node.kind,
        node.endpoint.name,
        controller.signal,
      );
      if (described) item.tooltip = new vscode.MarkdownString(endpointTooltip(described));
    } catch {
      // The listing's tooltip stays; the next refresh says if the endpoint is gone.
    } finally {
      cancelled.dispose();
    }
    return item;
  }

  getTreeItem(node: JobsNode): vscode.TreeItem {
    switch (node.type) {
      case 'target': {
        const item = new vscode.TreeItem(
          describeTarget(node.kind).label,
          vscode.TreeItemCollapsibleState.Expanded,
        );
        const group = this.model.group(node.kind) ?? { kind: node.kind, selected: false };
        item.id = `${node.kind}`;
        item.description = targetGroupDescription(group);
        item.tooltip = targetGroupTooltip(group);
        item.iconPath = new vscode.ThemeIcon(node.kind === 'sagemaker' ? 'cloud' : 'vm');
        item.contextValue = `target ${node.kind}`;
        return item;
      }
      case 'job': {
        const { summary, details } = node.entry;
        const item = new vscode.TreeItem(
          summary.name,
          details?.modelArtifacts
            ? vscode.TreeItemCollapsibleState.Collapsed
            : vscode.TreeItemCollapsibleState.None,
        );
        item.id = `${node.kind}/job/${summary.name}`;
        item.description = jobDescription(summary, details);
        item.tooltip = new vscode.MarkdownString(jobTooltip(summary, details));
        item.iconPath = icon(jobLook(details?.status ?? summary.status));
        item.contextValue = jobContextValue(summary, details);
        return item;
      }
      case 'model': {
        const item = new vscode.TreeItem('model.tar.gz');
        item.id = `${node.kind}/model/${node.job}`;
        item.description = node.uri;
        item.tooltip = vscode.l10n.t('The trained model of {0}\n{1}', node.job, node.uri);
        item.iconPath = new vscode.ThemeIcon('package');
        item.contextValue = modelContextValue(node.kind);
        return item;
      }
      case 'endpoints': {
        const count = this.model.snapshot(node.kind)?.endpoints.length ?? 0;
        const item = new vscode.TreeItem(
          vscode.l10n.t('Endpoints'),
          vscode.TreeItemCollapsibleState.Expanded,
        );
        item.id = `${node.kind}/endpoints`;
        item.description = String(count);
        item.iconPath = new vscode.ThemeIcon('radio-tower');
        item.contextValue = `endpoints ${node.kind}`;
        return item;
      }
      case 'endpoint': {
        const item = new vscode.TreeItem(node.endpoint.name);
        item.id = `${node.kind}/endpoint/${node.endpoint.name}`;
        item.description = endpointDescription(node.endpoint);
        item.tooltip = new vscode.MarkdownString(endpointTooltip(node.endpoint));
        item.iconPath = icon(endpointLook(node.endpoint.status));
        item.contextValue = endpointContextValue(node.endpoint);
        return item;
      }
      case 'error': {
        const row = listingErrorRow(this.model.snapshot(node.kind) ?? { error: node.message });
        const item = new vscode.TreeItem(row.label);
        item.id = `${node.kind}/error`;
        item.tooltip = row.tooltip;
        item.iconPath = new vscode.ThemeIcon(
          'warning',
          new vscode.ThemeColor('problemsWarningIcon.foreground'),
        );
        item.command = { command: 'tfod.log.show', title: vscode.l10n.t('Show Log') };
        item.contextValue = `error ${node.kind}`;
        return item;
      }
    }
  }

  getChildren(node?: JobsNode): JobsNode[] {
    if (!node) return this.model.groups().map((g) => ({ type: 'target', kind: g.kind }));
    const snapshot = this.model.snapshot(node.kind);
    if (!snapshot) return [];
    if (node.type === 'target') {
      const children: JobsNode[] = [];
      if (snapshot.error)
        children.push({ type: 'error', kind: node.kind, message: snapshot.error });
      children.push(
        ...snapshot.jobs.map((entry) => ({ type: 'job' as const, kind: node.kind, entry })),
      );
      if (snapshot.endpoints.length) children.push({ type: 'endpoints', kind: node.kind });
      return children;
    }
    if (node.type === 'job' && node.entry.details?.modelArtifacts)
      return [
        {
          type: 'model',
          kind: node.kind,
          job: node.entry.summary.name,
          uri: node.entry.details.modelArtifacts,
        },
      ];
    if (node.type === 'endpoints')
      return snapshot.endpoints.map((endpoint) => ({
        type: 'endpoint',
        kind: node.kind,
        endpoint,
      }));
    return [];
  }

  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function registerJobsView(ctx: TfodContext): void {
  const service = targets(ctx);
  const model = new JobsModel();
  const provider = new JobsTreeProvider(
    model,
    (kind, name, signal) =>
      service.get(kind)?.describeEndpoint(name, signal) ?? Promise.resolve(undefined),
  );
  const view = vscode.window.createTreeView(JOBS_VIEW_ID, {
    treeDataProvider: provider,
    showCollapseAll: true,
  });

  // Another target is listed when it is local (Docker on this machine, nothing to sign in to), or
  // once it has been selected in this workspace: a local user with an AWS profile that prompts
  // (MFA, credential_process) is not asked for it by a target they never chose.
  const used = new UsedTargets(ctx.extension.workspaceState);
  const listable = (): TargetKind[] => used.listable(service.current());

  // Polls each shown target while the view is visible and something on it is in progress (a
  // training job, an endpoint being created); a command that changes jobs, a setting, or showing
  // the view kicks it again.
  const refresh = new JobsRefresh(model, {
    // Restricted Mode lists nothing (no Docker, no AWS); the welcome says why.
    shown: () =>
      vscode.workspace.isTrusted
        ? shownTargets(service.current(), getJobsViewTargets(), listable())
        : [],
    target: (kind) => service.get(kind),
    onDidChange: () => {
      setContextKey('tfod:docker', dockerState(model.snapshot('local')));
      provider.refresh();
    },
    keepPolling: () => view.visible,
    intervalMs: POLL_INTERVAL_MS,
    // Not an error of the user's: the local target without AWS credentials, say.
    onUnselectedError: (kind, message) =>
      ctx.log.debug(`jobs view: cannot list the ${kind} target (not selected): ${message}`),
    onSelectedError: (kind, message) =>
      ctx.log.warn(`jobs view: cannot list the ${kind} target: ${message}`),
    onError: (error) => ctx.log.warn(`jobs view: ${errorMessage(error)}`),
  });
  const showTarget = (): void => {
    view.description = describeTarget(service.current()).label;
  };
  showTarget();
  if (view.visible) refresh.kick();
  ctx.extension.subscriptions.push(
    provider,
    view,
    refresh,
    view.onDidChangeVisibility((event) => {
      if (event.visible) refresh.kick();
    }),
    service.onDidChangeJobs(() => {
      showTarget();
      refresh.kick();
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (affectsTfod(event, 'tfod.jobs.targets')) refresh.kick();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => refresh.kick()),
  );
}
