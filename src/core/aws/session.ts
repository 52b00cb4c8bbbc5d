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
  const network = explainNetworkError(error);
  if (network) return network;
  if (name === 'InvalidClientTokenId' || name === 'SignatureDoesNotMatch') {
    return new UserError(
      `AWS rejected the credentials from ${profile} (${name})`,
      'Check the access key in your AWS credentials file or environment',
      { cause: error },
    );
  }
  return error;
}

/** Node's codes for a connection that could not be made or was lost. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);

/**
 * A request that never reached AWS, or whose answer was not AWS's (a proxy's HTML error page):
 * what happened and what to check, instead of an internal error. Undefined for anything else.
 */
export function explainNetworkError(error: unknown): UserError | undefined {
  const e = error as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $response?: { statusCode?: number };
  };
  const message = e.message ?? String(error);
  const endpoint = process.env.AWS_ENDPOINT_URL
    ? ` (AWS_ENDPOINT_URL is ${process.env.AWS_ENDPOINT_URL})`
    : '';
  const code = e.code ?? /\b(E[A-Z_]{4,})\b/.exec(message)?.[1];
  if (
    (code && NETWORK_CODES.has(code)) ||
    e.name === 'TimeoutError' ||
    /socket hang up/i.test(message)
  )
    return new UserError(
      `cannot reach AWS: ${code ?? e.name ?? 'connection lost'} (${message})`,
      `Check the network connection and any proxy (HTTPS_PROXY)${endpoint}, then try again`,
      { cause: error },
    );
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  // The SDK could not read the answer as AWS's: something between (a proxy, a captive portal)
  // answered instead, typically with an HTML page.
  if (
    status !== undefined &&
    ((status >= 300 && (e.name === 'Unknown' || /^Unknown(Error)?$/.test(message))) ||
      /Deserialization error|Unexpected token|is not valid JSON|Expected closing tag|non-whitespace/i.test(
        message,
      ))
  )
    return new UserError(
      `AWS did not answer: something between answered HTTP ${status} with a page that is not an AWS response`,
      `Check the proxy (HTTPS_PROXY, NO_PROXY) or firewall between you and AWS${endpoint}, then try again`,
      { cause: error },
    );
  return undefined;
}
