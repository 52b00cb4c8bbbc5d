import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * The TensorFlow event files, kept: the API's loops write them into the model_dir (TF2:
 * `train/` and `eval/`; TF1's Estimator: the model_dir itself and `eval_0/`), which is scratch
 * space or the checkpoints folder. They are copied, with their folders, into
 * /opt/ml/output/tensorboard: SageMaker's TensorBoardOutputConfig.LocalPath, which it uploads to
 * S3 as files change, and on the local target the job's `output/tensorboard/`.
 *
 * Copied, not written there: the loops derive their summary folders from model_dir, and moving
 * the model_dir itself would move the checkpoints away from /opt/ml/checkpoints. Event files only
 * grow, so a copy is taken again when its size changed.
 */
export const EVENT_FILE = /^events\.out\.tfevents\./;
/** How deep the loops put their summary folders under model_dir (eval_0/, train/). */
const MAX_DEPTH = 2;

/** Copies new or grown event files; returns the relative paths copied this time. */
export function syncEventFiles(modelDir: string, tensorboardDir: string): string[] {
  const copied: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const source = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH) walk(source, depth + 1);
        continue;
      }
      if (!entry.isFile() || !EVENT_FILE.test(entry.name)) continue;
      const path = relative(modelDir, source);
      const target = join(tensorboardDir, path);
      const size = statSync(source).size;
      if (existsSync(target) && statSync(target).size === size) continue;
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(source, target);
      copied.push(path);
    }
  };
  walk(modelDir, 0);
  return copied.sort();
}

export interface EventFileSync {
  /** Copies once more (at the end of a step) and stops the timer. */
  stop(): void;
  /** Copies now. */
  sync(): void;
}

/**
 * Copies every `intervalMs` while a step runs and once more when asked; a failed copy is a
 * warning (once), never a failed job: the events are a view of the training, not its product.
 */
export function startEventFileSync(
  modelDir: string,
  tensorboardDir: string,
  log: (line: string) => void,
  intervalMs = 60_000,
): EventFileSync {
  let warned = false;
  const sync = (): void => {
    try {
      syncEventFiles(modelDir, tensorboardDir);
    } catch (error) {
      if (warned) return;
      warned = true;
      log(
        `warning: could not copy the TensorBoard event files to ${tensorboardDir} (${(error as Error).message}); training goes on`,
      );
    }
  };
  const timer = setInterval(sync, intervalMs);
  timer.unref();
  return {
    sync,
    stop: () => {
      clearInterval(timer);
      sync();
    },
  };
}
