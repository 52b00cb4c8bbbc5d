// The work of heavy documents and the messages about it between the language server's message loop
// (heavyWorker.ts) and the worker thread (heavyWorkerMain.ts). Messages are plain data: they cross
// the thread boundary by structured clone.

import { computeFeature, type FeatureMethod, type FeatureParams } from './features';
import type { OpenDocument, ValidationService } from './validationService';

/** What the worker's validation depends on besides the documents: set at start, then on change. */
export interface WorkerSettings {
  readonly roots: readonly string[];
  /** The user's proto folder (`tfod.validation.protoPath`); undefined for the built-in schema. */
  readonly protoFolder: string | undefined;
  /** The training image's ARCHITECTURE (`tfod.validation.architecture`); undefined: from the config. */
  readonly architecture?: string | undefined;
}

/** One version of an open document. */
export interface DocumentText {
  readonly uri: string;
  readonly version: number;
  readonly text: string;
}

/** What a job computes: a document's diagnostics, or one language feature's answer. */
export type Work =
  | { readonly kind: 'diagnostics' }
  | {
      readonly kind: 'feature';
      readonly method: FeatureMethod;
      readonly params: FeatureParams<FeatureMethod>;
    };

export type ToWorker =
  | { readonly type: 'settings'; readonly settings: WorkerSettings }
  | { readonly type: 'filesChanged'; readonly paths: readonly string[] }
  /** The cached validation of `uri` is stale (a file it read changed). */
  | { readonly type: 'forget'; readonly uri: string }
  /** Texts of open documents that changed since the last message, and documents closed. */
  | {
      readonly type: 'documents';
      readonly changed: readonly DocumentText[];
      readonly closed: readonly string[];
    }
  | {
      readonly type: 'job';
      readonly id: number;
      readonly uri: string;
      readonly version: number;
      readonly work: Work;
    };

export type FromWorker =
  /** Posted once the worker listens: a worker that dies before it never started. */
  | { readonly type: 'ready' }
  | {
      readonly type: 'done';
      readonly id: number;
      readonly value: unknown;
      /** The files the document's validation read; undefined when the job did not validate it. */
      readonly dependencies: readonly string[] | undefined;
    }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };

/** A job's answer, and the files the document's validation read (formatting alone does not
 *  validate: undefined). */
export interface WorkResult {
  readonly value: unknown;
  readonly dependencies: readonly string[] | undefined;
}

/** Does one job: in the worker, or on the message loop when the worker cannot. */
export function doWork(service: ValidationService, document: OpenDocument, work: Work): WorkResult {
  const value =
    work.kind === 'diagnostics'
      ? service.diagnostics(document)
      : computeFeature(service, document, work.method, work.params);
  return { value, dependencies: service.dependenciesOf(document) };
}
