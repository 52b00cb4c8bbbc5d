import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, relative } from 'node:path';
import * as vscode from 'vscode';
import { formatBytes } from '../../../core/image/build';
import { TRAINING_INSTANCE_TYPES } from '../../../core/jobs';
import {
  describeZooModel,
  initZooProject,
  MODEL_ZOO,
  modelZooBaseUrl,
  type ZooModel,
} from '../../../core/modelZoo';
import type { TfodContext } from '../../context';
import { knownArchitecture, setting } from '../memory';
import { resolvePath, type Flow } from '../../flows/flow';
import { runQuickInputFlow } from '../../flows/quickInput';
import { withCancellableProgress } from '../registerCommand';

/** The flow's title (translated when asked, not at load). */
const title = (): string => vscode.l10n.t('New Project from Model Zoo');

interface ZooAnswers {
  readonly tf: 1 | 2;
  readonly model: ZooModel | undefined;
  /** Relative to the workspace folder, or absolute; created when missing. */
  readonly folder: string;
  /** Empty: set it later. */
  readonly labelMap: string;
  /** The training TFRecords (a file, a shard set or a glob); empty: set them later. */
  readonly records: string;
}

/** TensorFlow version (unless the image's is known), model, project folder and label map. */
function zooFlow(base: string, askVersion: boolean): Flow<ZooAnswers> {
  return {
    title: title(),
    steps: [
      {
        when: () => askVersion,
        ask: async (s, ask) => {
          const items = [
            {
              label: 'TF2',
              description: vscode.l10n.t('TensorFlow 2 images (2.9.1): the TF2 zoo'),
              tf: 2 as const,
            },
            {
              label: 'TF1',
              description: vscode.l10n.t('TensorFlow 1.15 images: the TF1 zoo'),
              tf: 1 as const,
            },
          ];
          const { tf } = await ask.pick({
            items,
            placeHolder: vscode.l10n.t('The TensorFlow version of the training image'),
            active: items.find((i) => i.tf === s.tf),
          });
          return { tf };
        },
      },
      {
        ask: async (s, ask) => {
          const items = MODEL_ZOO.filter((m) => m.tf === s.tf).map((m) => ({
            label: m.title,
            description: describeZooModel(m),
            detail: m.name,
            model: m,
          }));
          const { model } = await ask.pick({
            items,
            placeHolder: vscode.l10n.t(
              'A model: speed (the zoo’s GPU ms) and COCO mAP as the zoo publishes them',
            ),
            active: items.find((i) => i.model === s.model),
          });
          return { model };
        },
      },
      {
        ask: async (s, ask) => ({
          folder: await ask.text({
            prompt: vscode.l10n.t('The project folder (created when missing)'),
            value: s.folder,
            browse: {
              base,
              folders: true,
              files: false,
              openLabel: vscode.l10n.t('Create the project here'),
            },
            validate: (value) => {
              if (!value) return vscode.l10n.t('Give the project folder');
              const path = resolvePath(base, value);
              return existsSync(path) && !statSync(path).isDirectory()
                ? vscode.l10n.t('{0} is not a folder', path)
                : undefined;
            },
          }),
        }),
      },
      {
        ask: async (s, ask) => ({
          labelMap: await ask.text({
            prompt: vscode.l10n.t('The label map (empty: set it later)'),
            value: s.labelMap,
            placeHolder: 'label_map.pbtxt',
            browse: {
              base,
              folders: false,
              files: true,
              filters: { [vscode.l10n.t('Label map')]: ['pbtxt', 'txt'] },
              openLabel: vscode.l10n.t('Use this label map'),
            },
            validate: (value) => {
              if (!value) return undefined;
              const path = resolvePath(base, value);
              return existsSync(path) && statSync(path).isFile()
                ? undefined
                : vscode.l10n.t('{0} is not a file', path);
            },
          }),
        }),
      },
      {
        ask: async (s, ask) => ({
          records: await ask.text({
            prompt: vscode.l10n.t(
              'The training TFRecords: a file, a shard set (train.record-?????-of-00010) or a glob, relative to the project folder (empty: set them later)',
            ),
            value: s.records,
            placeHolder: 'train.record-?????-of-00001',
            browse: {
              base: resolvePath(base, s.folder),
              folders: false,
              files: true,
              openLabel: vscode.l10n.t('Train on these records'),
            },
          }),
        }),
      },
    ],
  };
}

/**
 * The records as pipeline.config will name them: relative to the project folder when they are in
 * it (what Browse… gives is absolute), else as given.
 */
function recordsOf(folder: string, records: string): string {
  const inside = relative(folder, records);
  return isAbsolute(records) && !inside.startsWith('..') && !isAbsolute(inside) ? inside : records;
}

/**
 * tfod.project.newFromZoo: picks a zoo model (TF2 zoo for the TF2 images, TF1 zoo for the 1.15
 * ones) by what users choose by, downloads it into the shared cache with progress, and writes the
 * project's checkpoint and pipeline.config (the twin of `tfod init`).
 */
export async function newProjectFromZoo(ctx: TfodContext): Promise<string | undefined> {
  const architecture = knownArchitecture(ctx);
  const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? homedir();
  const answers = await runQuickInputFlow(zooFlow(base, architecture === undefined), {
    tf: architecture?.startsWith('1.') ? 1 : 2,
    model: undefined,
    folder: base,
    labelMap: '',
    records: '',
  });
  const model = answers.model;
  if (!model) throw new Error('new project: no model chosen');
  const folder = resolvePath(base, answers.folder);
  const labelMap = answers.labelMap ? resolvePath(base, answers.labelMap) : undefined;
  const baseUrl = modelZooBaseUrl(setting('modelZoo.url'));
  // The batch size fits the instance type training is offered on, when one is set and known.
  const instanceType = setting('training.instanceType');
  const sized = TRAINING_INSTANCE_TYPES.some((t) => t.name === instanceType);
  const result = await withCancellableProgress(
    vscode.l10n.t('Downloading {0}', model.name),
    (progress, signal) => {
      let reported = 0;
      return initZooProject({
        dir: folder,
        model,
        labelMap,
        ...(answers.records ? { records: recordsOf(folder, answers.records) } : {}),
        ...(sized ? { instanceType } : {}),
        baseUrl,
        signal,
        log: (line) => ctx.log.info(line),
        onProgress: (p) => {
          const percent = p.total ? (p.received / p.total) * 100 : 0;
          progress.report({
            increment: percent - reported,
            message: p.total
              ? vscode.l10n.t('{0} of {1}', formatBytes(p.received), formatBytes(p.total))
              : formatBytes(p.received),
          });
          reported = percent;
        },
      });
    },
  );
  for (const change of result.changes)
    ctx.log.info(`pipeline.config: ${change.field}: ${change.from ?? '(added)'} -> ${change.to}`);
  await vscode.window.showTextDocument(vscode.Uri.file(result.configPath));
  void vscode.window.showInformationMessage(
    result.remaining.length === 0
      ? vscode.l10n.t(
          "{0}: the project's pipeline.config is ready (no error, no warning).",
          model.name,
        )
      : vscode.l10n.t(
          '{0}: pipeline.config written; {1} problem(s) left, underlined in the editor.',
          model.name,
          result.remaining.length,
        ),
  );
  return result.configPath;
}
