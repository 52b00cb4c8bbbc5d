// The messages between the server (workerPool.ts) and an inference worker process
// (inferenceWorker.ts, bundled as servingWorker.js), over the IPC channel of child_process.fork
// with the `advanced` serialization, so image bytes cross as bytes.
import type { BackendChoice } from '../runtime';
import type { Prediction } from '../types';

/** What a worker is started with, as its one command-line argument (JSON). */
export interface WorkerConfig {
  readonly modelDir: string;
  readonly backend?: BackendChoice;
}

/** The model a worker loaded, for the server's log. */
export interface ModelDescription {
  readonly dir: string;
  readonly format: string;
  readonly layout: string;
  readonly backend: string;
  readonly runtimeVersion: string;
  /** Why faster backends were passed over (empty when the preferred one runs). */
  readonly runtimeNotes: readonly string[];
}

export type ToWorker =
  | {
      readonly type: 'detect';
      readonly id: number;
      /** The image file's bytes, as sent (JPEG or PNG). */
      readonly image: Uint8Array;
      readonly threshold?: number;
    }
  /** Finish nothing more and exit. */
  | { readonly type: 'stop' };

/** Milliseconds a worker spent on one image. */
export interface WorkerTiming {
  /** Reading the file into pixels. */
  readonly decodeMs: number;
  /** The model, pre- and post-processing included. */
  readonly detectMs: number;
}

export type FromWorker =
  | { readonly type: 'ready'; readonly model: ModelDescription }
  /** The model could not be loaded; the worker exits. */
  | { readonly type: 'failed'; readonly error: string }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly prediction: Prediction[];
      /** What the image cost, by the worker's own clock. */
      readonly timing: WorkerTiming;
    }
  /** The image cannot be used: 400 (unreadable) or 413 (over a decoding limit). */
  | {
      readonly type: 'refused';
      readonly id: number;
      readonly status: 400 | 413;
      readonly error: string;
    }
  /** Inference itself failed (a bug or the model's). */
  | { readonly type: 'error'; readonly id: number; readonly error: string };
