import { rmSync } from 'node:fs';
import { UserError } from '../../../core/errors';
import { isModelArchive, unpackModelArchive } from '../../../core/local/modelArchive';
import { labelMapNames } from '../../../core/preview/sources';
import { loadDetector, ModelFolderError, type Detector } from '../../../detection';

export interface LocalModel {
  readonly detector: Detector;
  /** The model's own label map's names, when it has one that reads. */
  readonly names: ReadonlyMap<number, string> | undefined;
  /** Disposes the model and removes an unpacked archive. */
  readonly close: () => void;
}

/** A model folder or model.tar.gz (unpacked to a temporary folder) loaded in the extension host. */
export async function loadLocalModel(model: string): Promise<LocalModel> {
  const unpacked = isModelArchive(model) ? await unpackModelArchive(model) : undefined;
  const remove = () => {
    if (unpacked) rmSync(unpacked.dir, { recursive: true, force: true });
  };
  try {
    const detector = await loadDetector(unpacked?.dir ?? model).catch((error: unknown) => {
      if (error instanceof ModelFolderError) throw new UserError(error.message, error.fix);
      throw error;
    });
    const labelMap = detector.folder.labelMapPath;
    return {
      detector,
      names: labelMap ? await labelMapNames(labelMap).catch(() => undefined) : undefined,
      close: () => {
        try {
          detector.dispose();
        } finally {
          remove();
        }
      },
    };
  } catch (error) {
    remove();
    throw error;
  }
}
