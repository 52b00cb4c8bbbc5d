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
      prompt: 'Folder for train/validation records and label_map.pbtxt',
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
          message: `${p.images} of ${p.total} images`,
        });
        reported = percent;
      },
    });
  });
  for (const p of result.problems)
    ctx.log[p.severity === 'error' ? 'warn' : 'info'](
      `convert: ${p.file}${p.object !== undefined ? ` object ${p.object}` : ''}: ${p.message}`,
    );
  const summary = `Converted ${result.images.train} training and ${result.images.validation} validation images into ${vscode.workspace.asRelativePath(out)}: ${result.errors} errors, ${result.warnings} warnings (input_path "${result.inputPaths.train}").`;
  ctx.log.info(`convert: ${summary}`);
  const reveal = 'Reveal Records';
  const openLog = 'Open Log';
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
    title: 'Convert Annotations: the annotation folder (VOC, YOLO) or file (COCO JSON, CSV)',
    canSelectFolders: true,
    canSelectFiles: true,
    canSelectMany: false,
    filters: { Annotations: ['json', 'csv', 'xml', 'txt', 'yaml'] },
    openLabel: 'Convert',
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  const input = picked?.[0];
  if (!input) throw new CancelledError();
  return input;
}
