import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AwsSessionOptions } from '../aws/session';
import { UserError } from '../errors';
import { explainS3Error } from './errors';
import { bucketNameProblem } from './uri';

export interface EnsureBucketOptions {
  /** Region for a new bucket; default: the client's region. */
  readonly region?: string | undefined;
  /** Create the bucket when it is missing; otherwise a missing bucket is a UserError. */
  readonly create?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly session?: AwsSessionOptions | undefined;
}

/**
 * Makes sure the bucket exists and is usable: HeadBucket, then CreateBucket when missing and
 * asked to. Returns whether it was created. A bucket owned by another account, one in another
 * region, or one the caller may not see, each gets its own message.
 */
export async function ensureBucket(
  client: S3Client,
  name: string,
  options: EnsureBucketOptions = {},
): Promise<{ created: boolean }> {
  const problem = bucketNameProblem(name);
  if (problem)
    throw new UserError(
      `'${name}' is not a valid bucket name: it ${problem}`,
      'Choose another name',
    );
  const abortSignal = options.signal;
  try {
    await client.send(new HeadBucketCommand({ Bucket: name }), { abortSignal });
    return { created: false };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const errorName = (error as { name?: string }).name;
    if (status === 403)
      throw new UserError(
        `bucket '${name}' exists but this AWS identity may not use it (or it belongs to another account)`,
        'Choose a bucket of your own account, or ask for s3:ListBucket and s3:PutObject on it',
        { cause: error },
      );
    if (status === 301)
      throw new UserError(
        `bucket '${name}' is in another region than ${options.region ?? 'the configured one'}`,
        'Set tfod.aws.region (or AWS_REGION) to the bucket’s region',
        { cause: error },
      );
    if (status !== 404 && errorName !== 'NotFound' && errorName !== 'NoSuchBucket')
      throw explainS3Error(error, `checking bucket '${name}'`, options.session);
  }
  if (!options.create)
    throw new UserError(
      `bucket '${name}' does not exist`,
      'Create it, or let the upload create it (the "create bucket" option)',
    );
  const region = options.region ?? (await client.config.region());
  try {
    await client.send(
      new CreateBucketCommand({
        Bucket: name,
        // us-east-1 is the one region that refuses an explicit location constraint.
        ...(region && region !== 'us-east-1'
          ? { CreateBucketConfiguration: { LocationConstraint: region as never } }
          : {}),
      }),
      { abortSignal },
    );
    return { created: true };
  } catch (error) {
    const errorName = (error as { name?: string }).name;
    if (errorName === 'BucketAlreadyOwnedByYou') return { created: false };
    if (errorName === 'BucketAlreadyExists')
      throw new UserError(
        `bucket name '${name}' is taken by another AWS account (bucket names are global)`,
        'Choose another name, e.g. with your account id or project in it',
        { cause: error },
      );
    throw explainS3Error(error, `creating bucket '${name}' in ${region}`, options.session);
  }
}
