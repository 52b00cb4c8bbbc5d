import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { UserError } from '../errors';

/**
 * What selects an AWS account and region. Credentials are never part of it: the SDK's default
 * chain (environment, shared config and credentials files, SSO, credential_process, instance
 * roles) finds them, so they never pass through settings, logs or webviews. Endpoints follow the
 * SDK's own AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> variables.
 */
export interface AwsSessionOptions {
  /** Named profile; empty or undefined uses the default chain (AWS_PROFILE, then "default"). */
  readonly profile?: string | undefined;
  /** Region; empty or undefined uses AWS_REGION or the profile's region. */
  readonly region?: string | undefined;
}

export interface AwsClientConfig {
  profile?: string;
  region?: string;
}

/** The config object every AWS SDK client of this project is built with. */
export function awsClientConfig(options: AwsSessionOptions = {}): AwsClientConfig {
  const config: AwsClientConfig = {};
  if (options.profile) config.profile = options.profile;
  if (options.region) config.region = options.region;
  return config;
}

export interface AwsIdentity {
  readonly account: string;
  readonly arn: string;
  readonly region: string;
}

/** STS GetCallerIdentity: proves the credentials work and says which account they reach. */
export async function whoAmI(
  options: AwsSessionOptions = {},
  signal?: AbortSignal,
): Promise<AwsIdentity> {
  const client = new STSClient(awsClientConfig(options));
  try {
    const region = await client.config.region();
    const identity = await client.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
    return { account: identity.Account ?? '', arn: identity.Arn ?? '', region };
  } catch (error) {
    throw explainAwsError(error, options);
  } finally {
    client.destroy();
  }
}

/** Maps the SDK's credential and region failures to what the user should do. */
export function explainAwsError(error: unknown, options: AwsSessionOptions = {}): unknown {
  const name = (error as { name?: string }).name ?? '';
  const message = (error as { message?: string }).message ?? String(error);
  const profile = options.profile ? `profile '${options.profile}'` : 'the default credential chain';
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new UserError(
      `no AWS credentials found through ${profile}`,
      'Run `aws configure` or `aws sso login`, or set tfod.aws.profile to a profile that has credentials',
      { cause: error },
    );
  }
  if (/Region is missing/i.test(message)) {
    return new UserError(
      'no AWS region is configured',
      'Set tfod.aws.region (e.g. us-east-1), AWS_REGION, or a region in your AWS profile',
      { cause: error },
    );
  }
  if (name === 'ExpiredToken' || name === 'ExpiredTokenException' || /expired/i.test(message)) {
    return new UserError(
      `the AWS credentials from ${profile} have expired`,
      'Refresh them (e.g. `aws sso login`) and try again',
      { cause: error },
    );
  }
  if (name === 'InvalidClientTokenId' || name === 'SignatureDoesNotMatch') {
    return new UserError(
      `AWS rejected the credentials from ${profile} (${name})`,
      'Check the access key in your AWS credentials file or environment',
      { cause: error },
    );
  }
  return error;
}
