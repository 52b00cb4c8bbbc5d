/**
 * Errors the detection code raises for bad input. They carry no dependency on the extension's or
 * the CLI's error types (detection sits below core); each front turns them into its own form:
 * the server into a 4xx JSON answer, the CLI into a one-line UserError.
 */

/** The bytes are not a JPEG or PNG image this code can decode; `message` says what is wrong. */
export class ImageDecodeError extends Error {
  override readonly name: string = 'ImageDecodeError';
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

/**
 * The image is too large to decode within the limits (pixels a side, pixels in all, memory, or a
 * progressive JPEG's scans); `message` says which. The server answers it with 413.
 */
export class ImageTooLargeError extends ImageDecodeError {
  override readonly name: string = 'ImageTooLargeError';
}
