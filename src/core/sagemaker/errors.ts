import { explainAwsError, type AwsSessionOptions } from '../aws/session';
import { CancelledError, UserError } from '../errors';
import { isAbortError } from '../jobs/delay';

/** What a failed call was about, for the message: `training job 'tfod-2024...'`. */
export interface ErrorSubject {
  readonly kind:
    | 'training job'
    | 'model'
    | 'endpoint configuration'
    | 'endpoint'
    | 'log group'
    | 'transform job';
  readonly name: string;
}

/** SageMaker says "Could not find ..." (and moto follows it) inside a ValidationException. */
export function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name ?? '';
  const message = (error as { message?: string } | undefined)?.message ?? '';
  return (
    name === 'ResourceNotFound' ||
    name === 'ResourceNotFoundException' ||
    (name === 'ValidationException' && /could not find|does not exist|not found/i.test(message))
  );
}

/**
 * What any AWS call's failure already says: a UserError or cancellation as it is, an abort as a
 * cancellation, credentials and region problems as explainAwsError words them; else undefined.
 */
export function explainedAwsFailure(
  error: unknown,
  session: AwsSessionOptions = {},
): UserError | CancelledError | undefined {
  if (error instanceof UserError || error instanceof CancelledError) return error;
  if (isAbortError(error)) return new CancelledError();
  const general = explainAwsError(error, session);
  return general instanceof UserError ? general : undefined;
}

/**
 * Maps SageMaker's failures to what the user should do; credentials and region problems are
 * explainAwsError's. Anything else is returned unchanged (a bug or an outage, logged with stack).
 */
export function explainSageMakerError(
  error: unknown,
  subject?: ErrorSubject,
  session: AwsSessionOptions = {},
): unknown {
  const general = explainedAwsFailure(error, session);
  if (general) return general;
  const name = (error as { name?: string }).name ?? '';
  const message = (error as { message?: string }).message ?? String(error);
  const what = subject ? `${subject.kind} '${subject.name}'` : 'the SageMaker resource';
  if (isNotFound(error)) {
    return new UserError(
      `${what} was not found in this account and region`,
      'Check the name, and that tfod.aws.profile and tfod.aws.region select the account and region it is in',
      { cause: error },
    );
  }
  if (name === 'ResourceInUse') {
    return new UserError(`${what} already exists (${message})`, 'Choose another name', {
      cause: error,
    });
  }
  if (name === 'ResourceLimitExceeded') {
    return new UserError(
      `SageMaker refused ${what}: a service quota is exhausted (${message})`,
      'Request a higher quota for this instance type in the Service Quotas console, stop other jobs or endpoints, or pick another instance type',
      { cause: error },
    );
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return new UserError(
      `AWS denied access to ${what} (${message})`,
      'Use credentials whose IAM policy allows SageMaker (e.g. AmazonSageMakerFullAccess) and iam:PassRole on the execution role, or select another profile in tfod.aws.profile',
      { cause: error },
    );
  }
  if (name === 'ValidationException') {
    return new UserError(`SageMaker rejected the request for ${what}: ${message}`, undefined, {
      cause: error,
    });
  }
  return error;
}
