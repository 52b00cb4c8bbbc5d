import * as vscode from 'vscode';
import {
  TASK_TYPE,
  taskDefinitionProblem,
  taskLabel,
  taskProcess,
  type TfodTaskDefinition,
} from '../core/tasks';
import type { TfodContext } from './context';

/**
 * A task that runs the CLI that ships with the extension (dist/cli.js) under the extension host's
 * runtime, in `scope`'s folder; `tfod validate` gets the `$tfod` problem matcher.
 */
export function tfodTask(
  ctx: TfodContext,
  definition: TfodTaskDefinition,
  scope: vscode.WorkspaceFolder | undefined,
): vscode.Task {
  const run = taskProcess(
    definition,
    ctx.extension.asAbsolutePath('dist/cli.js'),
    process.execPath,
  );
  return new vscode.Task(
    definition,
    scope ?? vscode.TaskScope.Workspace,
    taskLabel(definition),
    TASK_TYPE,
    new vscode.ProcessExecution(run.process, run.args, {
      env: run.env,
      ...(scope ? { cwd: scope.uri.fsPath } : {}),
    }),
    run.problemMatchers,
  );
}

/**
 * The `tfod` task type: "Run Task" offers `tfod validate .` per workspace folder, and tasks.json
 * entries of type tfod run the CLI that ships with the extension (dist/cli.js).
 */
export function registerTaskProvider(ctx: TfodContext): void {
  const toTask = (definition: TfodTaskDefinition, scope: vscode.WorkspaceFolder | undefined) =>
    tfodTask(ctx, definition, scope);
  ctx.extension.subscriptions.push(
    vscode.tasks.registerTaskProvider(TASK_TYPE, {
      provideTasks: () =>
        vscode.workspace.isTrusted
          ? (vscode.workspace.workspaceFolders ?? []).map((folder) =>
              toTask({ type: TASK_TYPE, command: 'validate', args: ['.'] }, folder),
            )
          : [],
      resolveTask: (task) => {
        const definition = task.definition as TfodTaskDefinition;
        const problem = taskDefinitionProblem(definition);
        if (problem) {
          ctx.log.warn(`tasks.json: ${problem}`);
          return undefined;
        }
        const scope = task.scope && typeof task.scope === 'object' ? task.scope : undefined;
        return toTask(definition, scope);
      },
    }),
  );
}
