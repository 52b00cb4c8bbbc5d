// The actions an open training config offers where users work on it (the editor title and a
// CodeLens above its first line). No 'vscode' here: the extension turns these into CodeLenses,
// and package.json's editor/title `when` says the same in its own terms (a manifest test checks).

export interface ConfigAction {
  readonly title: string;
  readonly command: 'tfod.config.train' | 'tfod.config.validate';
  readonly tooltip: string;
}

export const CONFIG_ACTIONS: readonly ConfigAction[] = [
  {
    title: 'Train with this Config',
    command: 'tfod.config.train',
    tooltip: "Start a training job whose training channel is this config's folder",
  },
  {
    title: 'Validate',
    command: 'tfod.config.validate',
    tooltip: 'Run tfod validate on this config; what it finds goes to the Problems panel',
  },
];

/**
 * Whether a document is a training config: `pipeline.config`, or another `*.config` that is
 * protobuf text format (a model-zoo config such as `ssd_mobilenet_v2.config`; a .NET
 * `web.config` stays XML and gets no actions). Label maps (`.pbtxt`) are not configs.
 */
export function isTrainingConfig(fileName: string, languageId: string): boolean {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  if (base === 'pipeline.config') return true;
  return base.toLowerCase().endsWith('.config') && languageId === 'textproto';
}

/** The actions a document offers: both on a training config, none elsewhere. */
export function configActions(fileName: string, languageId: string): readonly ConfigAction[] {
  return isTrainingConfig(fileName, languageId) ? CONFIG_ACTIONS : [];
}
