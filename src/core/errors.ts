/**
 * An error meant for the person at the keyboard: `message` says what failed and why, `fix` says
 * what to do about it. The extension shows both in a notification and the CLI prints them on one
 * line; anything that is not a UserError is a bug and is logged with its stack.
 */
export class UserError extends Error {
  override readonly name = 'UserError';

  constructor(
    message: string,
    readonly fix?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The one line shown to users: "what failed: why. fix". */
  toLine(): string {
    return this.fix ? `${this.message}. ${this.fix}` : this.message;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** A cancelled long operation; callers show nothing for it. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('cancelled');
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof UserError) return error.toLine();
  if (error instanceof Error) return error.message;
  return String(error);
}
