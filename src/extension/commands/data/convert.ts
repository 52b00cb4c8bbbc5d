import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  ANNOTATION_FORMATS,
  convertAnnotations,
  detectAnnotationFormat,
  type AnnotationFormat,
} from '../../../core/dataset';
import type { TfodContext } from '../../context';
import { resolvePath, type Flow } from '../../flows/flow';
import { runQuickInputFlow } from '../../flows/quickInput';
import { withCancellableProgress } from '../registerCommand';

const FORMAT_NAMES: Record<AnnotationFormat, string> = {
  voc: 'Pascal VOC XML (LabelImg, CVAT)',
  coco: 'COCO JSON (instances)',
  csv: 'CSV (filename,width,height,class,xmin,ymin,xmax,ymax)',
  yolo: 'YOLO txt (classes.txt, obj.names or data.yaml)',
};

const TITLE = 'Convert Annotations to TFRecords';

interface ConvertAnswers {
  /** As typed: relative to the workspace folder, or absolute. */
  readonly input: string;
  readonly format: AnnotationFormat | undefined;
  /** Empty until asked: records/ beside the annotations. */
  readonly out: string;
}

/** The annotations as the format reads them: the detected file, or the input itself. */
function sourceOf(input: string, format: AnnotationFormat | undefined): string {
  const detected = detectAnnotationFormat(input);
  return detected && format === detected.format ? detected.input : input;
}

/** The input (unless the Explorer gave it), its format (the detected one first), the output. */
function convertFlow(base: string, inputGiven: boolean): Flow<ConvertAnswers> {
  return {
    title: TITLE,
    steps: [
      {
        when: () => !inputGiven,
        ask: async (s, ask) => {
          const input = await ask.text({
            prompt:
              'The annotations: a folder (VOC, YOLO) or a file (COCO JSON, CSV), relative to the workspace folder or absolute',
            value: s.input,
            browse: {
              base,
              folders: true,
              files: true,
              filters: { Annotations: ['json', 'csv', 'xml', 'txt', 'yaml'] },
              openLabel: 'Convert',
            },
            validate: (value) =>
              !value
                ? 'Give the annotation folder or file'
                : existsSync(resolvePath(base, value))
                  ? undefined
                  : `${resolvePath(base, value)} does not exist`,
          });
          // Other annotations: their own format and output folder.
          return input === s.input ? { input } : { input, format: undefined, out: '' };
        },
      },
      {
        ask: async (s, ask) => {
          const detected = detectAnnotationFormat(resolvePath(base, s.input));
          const order = detected
            ? [detected.format, ...ANNOTATION_FORMATS.filter((f) => f !== detected.format)]
            : ANNOTATION_FORMATS;
          const items = order.map((f) => ({
            label: FORMAT_NAMES[f],
            description: f === detected?.format ? 'detected' : '',
            format: f,
          }));
          const { format } = await ask.pick({
            items,
            placeHolder: detected
              ? `The annotations look like ${FORMAT_NAMES[detected.format]}: confirm or pick another format`
              : 'Which format are the annotations in?',
            active: items.find((i) => i.format === s.format),
          });
          return format === s.format ? { format } : { format, out: '' };
        },
      },
      {
        ask: async (s, ask) => {
          const source = sourceOf(resolvePath(base, s.input), s.format);
          const beside = statSync(source).isFile() ? dirname(source) : source;
          return {
            out: await ask.text({
              prompt: 'Folder for train/validation records and label_map.pbtxt',
              value: s.out || join(beside, 'records'),
              browse: { base, folders: true, files: false },
              validate: (v) => (v ? undefined : 'Give a folder'),
            }),
          };
        },
      },
    ],
  };
}

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
  const result = await withCancellableProgress(TITLE, (progress, signal) => {
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
