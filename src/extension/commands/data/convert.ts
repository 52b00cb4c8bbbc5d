import * as vscode from 'vscode';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  ANNOTATION_FORMATS,
  convertAnnotations,
  detectAnnotationFormat,
  type AnnotationFormat,
} from '../../../core/dataset';
import { CancelledError } from '../../../core/errors';
import type { TfodContext } from '../../context';
import { askPick, askText } from '../prompts';
import { withCancellableProgress } from '../registerCommand';

const FORMAT_NAMES: Record<AnnotationFormat, string> = {
  voc: 'Pascal VOC XML (LabelImg, CVAT)',
  coco: 'COCO JSON (instances)',
  csv: 'CSV (filename,width,height,class,xmin,ymin,xmax,ymax)',
  yolo: 'YOLO txt (classes.txt, obj.names or data.yaml)',
};

/**
 * tfod.data.convert: pick the annotations (a folder, or a COCO/CSV file), confirm the detected
 * format and the output folder, convert with cancellable progress; every problem goes to the log.
 */
export async function convertAnnotationsCommand(ctx: TfodContext, arg?: unknown): Promise<void> {
  const input = arg instanceof vscode.Uri ? arg : await pickInput();
  const detected = detectAnnotationFormat(input.fsPath);
  const title = 'Convert Annotations to TFRecords';
  const order = detected
    ? [detected.format, ...ANNOTATION_FORMATS.filter((f) => f !== detected.format)]
    : ANNOTATION_FORMATS;
  const format = await askPick(
    { title, step: 1, total: 2 },
    order.map((f) => ({
      label: FORMAT_NAMES[f],
      description: f === detected?.format ? 'detected' : '',
      format: f,
    })),
    detected
      ? `The annotations look like ${FORMAT_NAMES[detected.format]}: confirm or pick another format`
      : 'Which format are the annotations in?',
  );
  const source = detected && format.format === detected.format ? detected.input : input.fsPath;
  const base = statSync(source).isFile() ? dirname(source) : source;
  const out = await askText(
    { title, step: 2, total: 2 },
    {
      prompt: vscode.l10n.t('Folder for train/validation records and label_map.pbtxt'),
      value: join(base, 'records'),
      validate: (v) => (v ? undefined : 'Give a folder'),
    },
  );
  const result = await withCancellableProgress(title, (progress, signal) => {
    let reported = 0;
    return convertAnnotations({
      from: format.format,
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

async function pickInput(): Promise<vscode.Uri> {
  const picked = await vscode.window.showOpenDialog({
    title: vscode.l10n.t(
      'Convert Annotations: the annotation folder (VOC, YOLO) or file (COCO JSON, CSV)',
    ),
    canSelectFolders: true,
    canSelectFiles: true,
    canSelectMany: false,
    filters: { Annotations: ['json', 'csv', 'xml', 'txt', 'yaml'] },
    openLabel: vscode.l10n.t('Convert'),
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  const input = picked?.[0];
  if (!input) throw new CancelledError();
  return input;
}
