import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A training failure the user can act on. SageMaker shows the first 1024 characters of
 * /opt/ml/output/failure as the job's FailureReason, so `message` (the first line) says what to
 * fix and `details` adds what was found.
 */
export class TrainingFailure extends Error {
  override readonly name = 'TrainingFailure';
  constructor(
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}

export const FAILURE_REASON_LIMIT = 1024;

export function failureText(error: unknown): string {
  if (error instanceof TrainingFailure) {
    return [error.message, ...error.details].join('\n');
  }
  const message = error instanceof Error ? error.message : String(error);
  return `Internal error in the training entrypoint: ${message}`;
}

/** Writes the failure file; the first 1024 characters are what SageMaker will show. */
export function writeFailure(path: string, error: unknown): string {
  const text = failureText(error);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${text}\n`);
  } catch {
    // The message still reaches the log; nothing more can be done without an output folder.
  }
  return text.slice(0, FAILURE_REASON_LIMIT);
}
