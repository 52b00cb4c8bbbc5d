import { S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig, type AwsSessionOptions } from '../aws/session';

/**
 * The endpoint the SDK will use for S3 when the user overrides it (moto, MinIO, LocalStack):
 * AWS_ENDPOINT_URL_S3 first, then AWS_ENDPOINT_URL, the SDK's own variables.
 */
export function s3EndpointOverride(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (/^true$/i.test(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '')) return undefined;
  return env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
}

/**
 * An S3 client over the project's AWS session. With an endpoint override the client addresses
 * buckets by path (http://host/bucket/key): S3 stand-ins rarely answer virtual-hosted names
 * (bucket.host) and local hosts have no DNS for them.
 */
export function createS3Client(
  options: AwsSessionOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): S3Client {
  return new S3Client({
    ...awsClientConfig(options),
    forcePathStyle: s3EndpointOverride(env) !== undefined,
  });
}
