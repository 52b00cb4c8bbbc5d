import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  ANNOTATION_FORMATS,
  detectAnnotationFormat,
  type AnnotationFormat,
} from '../../../core/dataset';
import { resolvePath, type Flow } from '../../flows/flow';
import { l10n } from '../../l10n';

/** The formats' names in the picker (translated when asked, not at load). */
const formatNames = (): Record<AnnotationFormat, string> => ({
  voc: l10n.t('Pascal VOC XML (LabelImg, CVAT)'),
  coco: l10n.t('COCO JSON (instances)'),
  csv: l10n.t('CSV (filename,width,height,class,xmin,ymin,xmax,ymax)'),
  yolo: l10n.t('YOLO txt (classes.txt, obj.names or data.yaml)'),
});

/** The flow's and its progress's title (translated when asked, not at load). */
export const convertTitle = (): string => l10n.t('Convert Annotations to TFRecords');

export interface ConvertAnswers {
  /** As typed: relative to the workspace folder, or absolute. */
  readonly input: string;
  readonly format: AnnotationFormat | undefined;
  /** Empty until asked: records/ beside the annotations. */
  readonly out: string;
}

/** The annotations as the format reads them: the detected file, or the input itself. */
export function sourceOf(input: string, format: AnnotationFormat | undefined): string {
  const detected = detectAnnotationFormat(input);
  return detected && format === detected.format ? detected.input : input;
}

/** The input (unless the Explorer gave it), its format (the detected one first), the output. */
export function convertFlow(base: string, inputGiven: boolean): Flow<ConvertAnswers> {
  return {
    title: convertTitle(),
    steps: [
      {
        when: () => !inputGiven,
        ask: async (s, ask) => {
          const input = await ask.text({
            prompt: l10n.t(
              'The annotations: a folder (VOC, YOLO) or a file (COCO JSON, CSV), relative to the workspace folder or absolute',
            ),
            value: s.input,
            browse: {
              base,
              folders: true,
              files: true,
              filters: { [l10n.t('Annotations')]: ['json', 'csv', 'xml', 'txt', 'yaml'] },
              openLabel: l10n.t('Convert'),
            },
            validate: (value) =>
              !value
                ? l10n.t('Give the annotation folder or file')
                : existsSync(resolvePath(base, value))
                  ? undefined
                  : l10n.t('{0} does not exist', resolvePath(base, value)),
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
          const names = formatNames();
          const items = order.map((f) => ({
            label: names[f],
            description: f === detected?.format ? l10n.t('detected') : '',
            format: f,
          }));
          const { format } = await ask.pick({
            items,
            placeHolder: detected
              ? l10n.t(
                  'The annotations look like {0}: confirm or pick another format',
                  names[detected.format],
                )
              : l10n.t('Which format are the annotations in?'),
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
              prompt: l10n.t('Folder for train/validation records and label_map.pbtxt'),
              value: s.out || join(beside, 'records'),
              browse: { base, folders: true, files: false },
              validate: (v) => (v ? undefined : l10n.t('Give a folder')),
            }),
          };
        },
      },
    ],
  };
}
