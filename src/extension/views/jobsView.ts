import * as vscode from 'vscode';
import { describeTarget } from '../../core/target';
import { affectsTfod, getTarget } from '../config';
import type { TfodContext } from '../context';

export const JOBS_VIEW_ID = 'tfod.views.jobs';

/**
 * The jobs tree. Until a job exists it has no items, so VS Code shows the view's welcome content
 * (package.json `viewsWelcome`) with buttons for the main commands.
 */
class JobsTreeProvider implements vscode.TreeDataProvider<vscode.TreeItem> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  getTreeItem(item: vscode.TreeItem): vscode.TreeItem {
    return item;
  }

  getChildren(): vscode.TreeItem[] {
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
  const provider = new JobsTreeProvider();
  const view = vscode.window.createTreeView(JOBS_VIEW_ID, { treeDataProvider: provider });
  const showTarget = (): void => {
    view.description = describeTarget(getTarget()).label;
  };
  showTarget();
  ctx.extension.subscriptions.push(
    provider,
    view,
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (affectsTfod(event, 'tfod.target')) {
        showTarget();
        provider.refresh();
      }
    }),
  );
}
