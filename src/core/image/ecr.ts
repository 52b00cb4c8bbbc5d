import { inspect } from 'node:util';
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import { awsClientConfig, explainAwsError, type AwsSessionOptions } from '../aws/session';
import { UserError } from '../errors';

export function createEcrClient(options: AwsSessionOptions = {}): ECRClient {
  return new ECRClient(awsClientConfig(options));
}

/** ECR's repository name rule: lowercase path segments of letters and digits joined by . _ - */
const REPOSITORY = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function repositoryNameProblem(name: string): string | undefined {
  if (name.length < 2 || name.length > 256) return `'${name}' must have 2 to 256 characters`;
  if (/[A-Z]/.test(name)) return `'${name}' has uppercase letters (repository names are lowercase)`;
  if (!REPOSITORY.test(name))
    return `'${name}' is not a repository name: lowercase letters and digits, separated by '.', '_', '-' or '/'`;
  return undefined;
}

export function imageTagProblem(tag: string): string | undefined {
  return TAG.test(tag)
    ? undefined
    : `'${tag}' is not an image tag: up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'`;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repo>:<tag>` */
export function imageUri(account: string, region: string, repository: string, tag: string): string {
  if (!/^\d{12}$/.test(account))
    throw new UserError(
      `'${account}' is not an AWS account id (12 digits)`,
      'Check the AWS session',
    );
  if (!/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/.test(region))
    throw new UserError(`'${region}' is not an AWS region`, 'Set tfod.aws.region, e.g. us-east-1');
  const repoProblem = repositoryNameProblem(repository);
  if (repoProblem) throw new UserError(repoProblem, 'Choose another repository name');
  const tagProblem = imageTagProblem(tag);
  if (tagProblem) throw new UserError(tagProblem, 'Choose another tag');
  return `${ecrHost(account, region)}/${repository}:${tag}`;
}

export function ecrHost(account: string, region: string): string {
  return `${account}.dkr.ecr.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

export interface EcrRepository {
  readonly name: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>` */
  readonly uri: string;
  readonly created: boolean;
}

/** DescribeRepositories, then CreateRepository when it is missing. */
export async function ensureRepository(
  client: ECRClient,
  name: string,
  options: { signal?: AbortSignal | undefined; session?: AwsSessionOptions | undefined } = {},
): Promise<EcrRepository> {
  const problem = repositoryNameProblem(name);
  if (problem) throw new UserError(problem, 'Choose another repository name');
  const abortSignal = options.signal;
  try {
    const found = await client.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }), {
      abortSignal,
    });
    const repository = found.repositories?.[0];
    if (repository?.repositoryUri) return { name, uri: repository.repositoryUri, created: false };
  } catch (error) {
    if ((error as { name?: string }).name !== 'RepositoryNotFoundException')
      throw explainEcrError(error, `looking up ECR repository '${name}'`, options.session);
  }
  try {
    const created = await client.send(
      new CreateRepositoryCommand({
        repositoryName: name,
        imageScanningConfiguration: { scanOnPush: true },
      }),
      { abortSignal },
    );
    return { name, uri: created.repository?.repositoryUri ?? '', created: true };
  } catch (error) {
    if ((error as { name?: string }).name === 'RepositoryAlreadyExistsException') {
      // Created by someone else between our two calls.
      return ensureRepository(client, name, options);
    }
    throw explainEcrError(error, `creating ECR repository '${name}'`, options.session);
  }
}

/**
 * Registry credentials, held in memory only. The password is a private field: JSON.stringify,
 * util.inspect, console.log and template strings never show it; only `password` reads it.
 */
export class RegistryCredentials {
  readonly #password: string;

  constructor(
    readonly username: string,
    password: string,
    /** host[:port] of the registry, no scheme: what Docker's serveraddress and image names use. */
    readonly serverAddress: string,
    /** When the credentials stop working (ECR tokens last 12 hours). */
    readonly expiresAt?: Date,
  ) {
    this.#password = password;
  }

  get password(): string {
    return this.#password;
  }

  /** What Docker's X-Registry-Auth header carries. */
  toDockerAuth(): { username: string; password: string; serveraddress: string } {
    return { username: this.username, password: this.#password, serveraddress: this.serverAddress };
  }

  toJSON(): object {
    return { username: this.username, password: '<redacted>', serverAddress: this.serverAddress };
  }

  toString(): string {
    return `RegistryCredentials(${this.username}@${this.serverAddress})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** GetAuthorizationToken, decoded ("AWS:<password>") into credentials for the account's registry. */
export async function ecrLogin(
  client: ECRClient,
  options: { signal?: AbortSignal | undefined; session?: AwsSessionOptions | undefined } = {},
): Promise<RegistryCredentials> {
  let data;
  try {
    const response = await client.send(new GetAuthorizationTokenCommand({}), {
      abortSignal: options.signal,
    });
    data = response.authorizationData?.[0];
  } catch (error) {
    throw explainEcrError(error, 'logging in to ECR', options.session);
  }
  const decoded = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (!data?.proxyEndpoint || colon <= 0)
    throw new UserError('ECR returned no usable authorization token', 'Try again in a moment');
  return new RegistryCredentials(
    decoded.slice(0, colon),
    decoded.slice(colon + 1),
    data.proxyEndpoint.replace(/^https?:\/\//, '').replace(/\/+$/, ''),
    data.expiresAt,
  );
}

function explainEcrError(error: unknown, what: string, session?: AwsSessionOptions): unknown {
  const explained = explainAwsError(error, session);
  if (explained !== error) return explained;
  const name = (error as { name?: string }).name ?? '';
  if (name === 'AccessDeniedException' || name === 'AccessDenied')
    return new UserError(
      `${what} failed: access denied`,
      'Your AWS identity needs ecr:GetAuthorizationToken, ecr:DescribeRepositories, ecr:CreateRepository and the push actions (e.g. the AmazonEC2ContainerRegistryPowerUser policy)',
      { cause: error },
    );
  if (name === 'LimitExceededException')
    return new UserError(
      `${what} failed: ECR repository limit reached`,
      'Delete unused repositories or ask for a higher quota',
      {
        cause: error,
      },
    );
  return error;
}
