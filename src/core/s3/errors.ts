import { explainAwsError, type AwsSessionOptions } from '../aws/session';
import { CancelledError, UserError } from '../errors';

/** True for the errors an aborted SDK call or stream rejects with. */
export function isAbortError(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'AbortError' || error instanceof CancelledError;
}

/** Throws CancelledError when the signal has fired; call between steps of long work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/**
 * Turns the S3 failures a user can act on into UserErrors; `what` names the operation
 * ("uploading train.record to s3://b/p/"). Credential and region failures go through
 * explainAwsError; anything else is returned unchanged.
 */
export function explainS3Error(
  error: unknown,
  what: string,
  session: AwsSessionOptions = {},
): unknown {
  if (error instanceof UserError || error instanceof CancelledError) return error;
  if (isAbortError(error)) return new CancelledError();
  const explained = explainAwsError(error, session);
  if (explained !== error) return explained;
  const name = (error as { name?: string }).name ?? '';
  const status = statusOf(error);
  const message = (error as { message?: string }).message ?? String(error);
  if (name === 'NoSuchBucket')
    return new UserError(
      `${what} failed: the bucket does not exist`,
      'Create it (the upload can create it when asked) or check the bucket name',
      { cause: error },
    );
  if (name === 'AccessDenied' || status === 403)
    return new UserError(
      `${what} failed: access denied (${name || status})`,
      'Check that your AWS identity may use this bucket (s3:PutObject, s3:GetObject, s3:ListBucket, s3:ListBucketMultipartUploads)',
      { cause: error },
    );
  if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || status === 301)
    return new UserError(
      `${what} failed: the bucket is in another region`,
      'Set tfod.aws.region (or AWS_REGION) to the bucket’s region',
      { cause: error },
    );
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new UserError(
      `${what} failed: cannot reach S3 (${code})`,
      'Check your network, proxy, or the AWS_ENDPOINT_URL you set',
      { cause: error },
    );
  if (name === 'EntityTooSmall' || name === 'InvalidPart' || name === 'NoSuchUpload')
    return new UserError(`${what} failed: ${name}: ${message}`, 'Run the upload again', {
      cause: error,
    });
  return error;
}
