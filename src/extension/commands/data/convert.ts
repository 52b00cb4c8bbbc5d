import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { convertAnnotations } from '../../../core/dataset';
import type { TfodContext } from '../../context';
import { resolvePath } from '../../flows/flow';
import { runQuickInputFlow } from '../../flows/quickInput';
import { withCancellableProgress } from '../registerCommand';
import { convertFlow, convertTitle, sourceOf } from './convertFlow';

/**
 * tfod.data.convert: the annotations (the Explorer's folder or file, or asked), the detected
 * format confirmed and the output folder, converted with cancellable progress; every problem
 * goes to the log.
 */
export async function convertAnnotationsCommand(ctx: TfodContext, arg?: unknown): Promise<void> {
  const given = arg instanceof vscode.Uri ? arg.fsPath : undefined;
  const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? homedir();
  const answers = await runQuickInputFlow(convertFlow(base, given !== undefined), {
    input: given ?? '',
    format: undefined,
    out: '',
  });
  const format = answers.format;
  if (!format) throw new Error('convert: no format chosen');
  const source = sourceOf(resolvePath(base, answers.input), format);
  const out = resolvePath(base, answers.out);
  const result = await withCancellableProgress(convertTitle(), (progress, signal) => {
    let reported = 0;
    return convertAnnotations({
      from: format,
      input: source,
      out,
      signal,
      onProgress: (p) => {
        const percent = (p.images / Math.max(1, p.total)) * 100;
        progress.report({
          increment: percent - reported,
          message: vscode.l10n.t('{0} of {1} images', p.images, p.total),
        });
        reported = percent;
      },
    });
  });
  for (const p of result.problems)
    ctx.log[p.severity === 'error' ? 'warn' : 'info'](
      `convert: ${p.file}${p.object !== undefined ? ` object ${p.object}` : ''}: ${p.message}`,
    );
  const summary = vscode.l10n.t(
    'Converted {0} training and {1} validation images into {2}: {3} errors, {4} warnings (input_path "{5}").',
    result.images.train,
    result.images.validation,
    vscode.workspace.asRelativePath(out),
    result.errors,
    result.warnings,
    result.inputPaths.train,
  );
  ctx.log.info(`convert: ${summary}`);
  const reveal = vscode.l10n.t('Reveal Records');
  const openLog = vscode.l10n.t('Open Log');
  const show =
    result.errors > 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const choice = await show(summary, reveal, ...(result.problems.length ? [openLog] : []));
  if (choice === openLog) ctx.log.show();
  if (choice === reveal)
    await vscode.commands.executeCommand(
      'revealInExplorer',
      vscode.Uri.file(join(out, result.files[0] ?? '')),
    );
}
