import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainingPaths } from './environment';

/**
 * Where training keeps its model_dir, and whether it resumes. With a checkpoints folder
 * (/opt/ml/checkpoints: SageMaker's CheckpointConfig, the local target's mount) the model_dir is
 * that folder, so the checkpoints outlive the container: SageMaker uploads them as they are
 * written and puts them back when it restarts an interrupted spot job, and the Object Detection
 * API's loops (TF2's train_loop, TF1's Estimator in model_main) restore the newest checkpoint of
 * their model_dir on their own. Without one it stays scratch space under /opt/ml/work.
 *
 * `TFOD_CHECKPOINTS`: `on` creates the folder when it is missing (a job told to checkpoint where
 * nothing is mounted), `off` keeps the scratch model_dir even when the folder exists.
 */
export interface ModelDirChoice {
  readonly modelDir: string;
  /** True when the model_dir is the checkpoints folder. */
  readonly checkpointing: boolean;
  /** The newest checkpoint already there, when the job resumes. */
  readonly resume?: ResumePoint;
}

export interface ResumePoint {
  /** The checkpoint's prefix (`.../ckpt-3`, `.../model.ckpt-200`). */
  readonly checkpoint: string;
  /** The training step it was saved at, when its name says (TF1); TF2 numbers its saves. */
  readonly step?: number;
}

export function chooseModelDir(
  paths: TrainingPaths,
  tfMajor: 1 | 2,
  env: NodeJS.ProcessEnv = process.env,
): ModelDirChoice {
  const setting = (env.TFOD_CHECKPOINTS ?? '').trim().toLowerCase();
  const scratch = { modelDir: join(paths.work, 'train'), checkpointing: false };
  if (setting === 'off') return scratch;
  if (!existsSync(paths.checkpoints)) {
    if (setting !== 'on') return scratch;
    mkdirSync(paths.checkpoints, { recursive: true });
  }
  const resume = newestCheckpoint(paths.checkpoints, tfMajor);
  return { modelDir: paths.checkpoints, checkpointing: true, ...(resume ? { resume } : {}) };
}

/**
 * The checkpoint the API's loop will restore: the one TensorFlow's `checkpoint` state file names
 * (as tf.train.latest_checkpoint reads it) when its index is there, else the highest-numbered
 * index (a state file lost in the sync).
 */
export function newestCheckpoint(folder: string, tfMajor: 1 | 2): ResumePoint | undefined {
  const names = existsSync(folder) ? readdirSync(folder) : [];
  const pattern = tfMajor === 1 ? /^model\.ckpt-(\d+)\.index$/ : /^ckpt-(\d+)\.index$/;
  const numbered = names
    .map((name) => pattern.exec(name)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
  if (numbered.length === 0) return undefined;
  const stem = tfMajor === 1 ? 'model.ckpt-' : 'ckpt-';
  let number = Math.max(...numbered);
  const state = join(folder, 'checkpoint');
  if (existsSync(state)) {
    const named = /^model_checkpoint_path:\s*"(?:.*\/)?([^"/]+)"/m.exec(
      readFileSync(state, 'utf8'),
    )?.[1];
    const n = named?.startsWith(stem) ? Number(named.slice(stem.length)) : NaN;
    if (Number.isInteger(n) && numbered.includes(n)) number = n;
  }
  return {
    checkpoint: join(folder, `${stem}${number}`),
    ...(tfMajor === 1 ? { step: number } : {}),
  };
}

/** The log lines that say where checkpoints go and what the job resumes from. */
export function describeModelDir(choice: ModelDirChoice): string[] {
  if (!choice.checkpointing)
    return [
      `[tfod] model_dir ${choice.modelDir} (scratch: no checkpoints folder, nothing resumes)`,
    ];
  const lines = [
    `[tfod] model_dir ${choice.modelDir}: checkpoints are kept there, and a restarted job resumes from the newest`,
  ];
  // TF2 numbers its checkpoints by save, not by step; its runner (od_api_tf2.py) reads the step
  // from the checkpoint and logs the same line with it.
  if (choice.resume?.step !== undefined)
    lines.push(
      `[tfod] resuming from checkpoint ${choice.resume.checkpoint} (step ${choice.resume.step})`,
    );
  return lines;
}

/**
 * A checkpoint past num_steps (a checkpoints path another, longer job used): the loop would not
 * train and the export would ship that job's weights. TF1 only here, where the name carries the
 * step; TF2's runner reads the step from the checkpoint and refuses the same way.
 */
export function resumePastNumSteps(choice: ModelDirChoice, numSteps: number): string | undefined {
  const step = choice.resume?.step;
  if (step === undefined || step <= numSteps) return undefined;
  return `the checkpoints folder ${choice.modelDir} holds a checkpoint at step ${step}, past num_steps ${numSteps} (another job's checkpoints?)`;
}
