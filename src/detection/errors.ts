/**
 * Errors the detection code raises for bad input. They carry no dependency on the extension's or
 * the CLI's error types (detection sits below core); each front turns them into its own form:
 * the server into a 4xx JSON answer, the CLI into a one-line UserError.
 */

/** The bytes are not a JPEG or PNG image this code can decode; `message` says what is wrong. */
export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';
}

/** The model folder cannot be used; `message` says why, `fix` what to do. */
export class ModelFolderError extends Error {
  override readonly name = 'ModelFolderError';

  constructor(
    message: string,
    readonly fix?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
