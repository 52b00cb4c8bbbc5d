import {
  CreateModelCommand,
  DescribeModelCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { withSuffix } from '../jobs/names';
import { explainSageMakerError, isNotFound } from './errors';
import { buildCreateModelRequest } from './requests';

export interface JobModelInput {
  /** The training job whose name the model takes. */
  readonly jobName: string;
  readonly image: string;
  /** The job's `S3ModelArtifacts`. */
  readonly modelDataUrl: string;
  readonly roleArn: string;
  readonly environment?: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
  /** Suffix for a second model of the job (a timestamp). */
  readonly stamp: string;
}

/**
 * The SageMaker Model of a training job's artifact and image, named after the job: reused when
 * one of that name already has the same image, artifact and environment, else created (under
 * `<job>-<stamp>` when the job's name is taken by another). Deploy and batch detection share it.
 */
export async function ensureJobModel(
  client: SageMakerClient,
  input: JobModelInput,
  signal?: AbortSignal,
): Promise<string> {
  let modelName = input.jobName;
  const call = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw explainSageMakerError(error, { kind: 'model', name: modelName });
    }
  };
  const existing = await call(async () => {
    try {
      return await client.send(new DescribeModelCommand({ ModelName: modelName }), {
        abortSignal: signal,
      });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  });
  const same =
    existing?.PrimaryContainer?.Image === input.image &&
    existing.PrimaryContainer.ModelDataUrl === input.modelDataUrl &&
    JSON.stringify(existing.PrimaryContainer.Environment ?? {}) ===
      JSON.stringify(input.environment ?? {});
  if (existing && same) return modelName;
  if (existing) modelName = withSuffix(input.jobName, input.stamp);
  const request = buildCreateModelRequest({
    modelName,
    image: input.image,
    modelDataUrl: input.modelDataUrl,
    roleArn: input.roleArn,
    ...(input.environment ? { environment: input.environment } : {}),
    ...(input.tags ? { tags: input.tags } : {}),
  });
  await call(() => client.send(new CreateModelCommand(request), { abortSignal: signal }));
  return modelName;
}
