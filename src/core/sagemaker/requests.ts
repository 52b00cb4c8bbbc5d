import type {
  Channel,
  CreateEndpointConfigInput,
  CreateEndpointInput,
  CreateModelInput,
  CreateTransformJobRequest,
  CreateTrainingJobRequest,
  ProductionVariantInstanceType,
  Tag,
  TrainingInstanceType,
  TransformInstanceType,
  UpdateEndpointInput,
} from '@aws-sdk/client-sagemaker';
import { defaultMaxWaitSeconds } from '../jobs/spec';
import type { ServerlessSettings, TrainingJobSpec } from '../jobs/types';
import { toSageMakerHyperparameters } from '../training/hyperparameters';
import { METRIC_DEFINITIONS } from '../training/metrics';

/**
 * The exact requests sent to SageMaker, as pure functions of the spec so that tests can check
 * them against the API model (the AWS CLI's parameter validation) without an AWS account.
 */

/** The channel names the training image reads (container/src/training/inputs.ts). */
export const TRAINING_CHANNEL = 'training';
export const CHECKPOINT_CHANNEL = 'checkpoint';
/** The one production variant each endpoint of this extension has. */
export const VARIANT_NAME = 'AllTraffic';
/** Where SageMaker syncs the checkpoint S3 URI in the container (the image's default too). */
export const CHECKPOINTS_LOCAL_PATH = '/opt/ml/checkpoints';
/** Where `train` copies the TensorFlow event files; SageMaker uploads them as they change. */
export const TENSORBOARD_LOCAL_PATH = '/opt/ml/output/tensorboard';

/** `<outputPath>/<job>/<folder>/`: beside the job's own output folder, as SageMaker lays it. */
export function jobOutputUri(outputPath: string, job: string, folder: string): string {
  return `${outputPath.replace(/\/+$/, '')}/${job}/${folder}/`;
}

/** The checkpoints URI of a spec: its own, or with spot the default under the output path. */
export function checkpointsUri(spec: TrainingJobSpec): string | undefined {
  if (spec.checkpointsPath) return spec.checkpointsPath;
  return spec.spot ? jobOutputUri(spec.outputPath, spec.name, 'checkpoints') : undefined;
}

export function toTags(tags: Readonly<Record<string, string>> | undefined): Tag[] | undefined {
  const entries = Object.entries(tags ?? {});
  return entries.length ? entries.map(([Key, Value]) => ({ Key, Value })) : undefined;
}

function s3Channel(name: string, uri: string): Channel {
  return {
    ChannelName: name,
    DataSource: {
      S3DataSource: {
        S3DataType: 'S3Prefix',
        S3Uri: uri,
        S3DataDistributionType: 'FullyReplicated',
      },
    },
    InputMode: 'File',
  };
}

export function buildCreateTrainingJobRequest(spec: TrainingJobSpec): CreateTrainingJobRequest {
  const channels = [s3Channel(TRAINING_CHANNEL, spec.channels.training)];
  if (spec.channels.checkpoint)
    channels.push(s3Channel(CHECKPOINT_CHANNEL, spec.channels.checkpoint));
  const request: CreateTrainingJobRequest = {
    TrainingJobName: spec.name,
    RoleArn: spec.roleArn,
    AlgorithmSpecification: {
      TrainingImage: spec.image,
      TrainingInputMode: 'File',
      MetricDefinitions: METRIC_DEFINITIONS.map(({ Name, Regex }) => ({ Name, Regex })),
      // Also records each metric as a time series, not only its final value.
      EnableSageMakerMetricsTimeSeries: true,
    },
    HyperParameters: toSageMakerHyperparameters(spec.hyperparameters),
    InputDataConfig: channels,
    OutputDataConfig: { S3OutputPath: spec.outputPath },
    ResourceConfig: {
      // SageMaker's enum grows faster than the SDK's; the spec was validated by name pattern.
      InstanceType: spec.instanceType as TrainingInstanceType,
      InstanceCount: spec.instanceCount,
      VolumeSizeInGB: spec.volumeSizeGb,
    },
    StoppingCondition: {
      MaxRuntimeInSeconds: spec.maxRuntimeSeconds,
      ...(spec.spot
        ? {
            MaxWaitTimeInSeconds:
              spec.maxWaitSeconds ?? defaultMaxWaitSeconds(spec.maxRuntimeSeconds),
          }
        : {}),
    },
  };
  if (spec.spot) request.EnableManagedSpotTraining = true;
  const checkpoints = checkpointsUri(spec);
  // SageMaker restores this prefix into LocalPath when it restarts an interrupted spot job;
  // `train` keeps its model_dir there, so the API's loop resumes from the newest checkpoint.
  if (checkpoints)
    request.CheckpointConfig = { S3Uri: checkpoints, LocalPath: CHECKPOINTS_LOCAL_PATH };
  request.TensorBoardOutputConfig = {
    S3OutputPath: spec.tensorboardPath ?? jobOutputUri(spec.outputPath, spec.name, 'tensorboard'),
    LocalPath: TENSORBOARD_LOCAL_PATH,
  };
  const tags = toTags(spec.tags);
  if (tags) request.Tags = tags;
  return request;
}

export interface ModelRequestInput {
  readonly modelName: string;
  readonly image: string;
  /** The job's `S3ModelArtifacts`. */
  readonly modelDataUrl: string;
  /** The role SageMaker assumes to pull the image and read the model (the job's role). */
  readonly roleArn: string;
  readonly environment?: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
}

export function buildCreateModelRequest(input: ModelRequestInput): CreateModelInput {
  const request: CreateModelInput = {
    ModelName: input.modelName,
    ExecutionRoleArn: input.roleArn,
    PrimaryContainer: {
      Image: input.image,
      ModelDataUrl: input.modelDataUrl,
      ...(input.environment && Object.keys(input.environment).length
        ? { Environment: { ...input.environment } }
        : {}),
    },
  };
  const tags = toTags(input.tags);
  if (tags) request.Tags = tags;
  return request;
}

export interface EndpointConfigRequestInput {
  readonly configName: string;
  readonly modelName: string;
  readonly instanceType: string;
  readonly instanceCount: number;
  /** A serverless variant instead of instances (instance type and count are then left out). */
  readonly serverless?: ServerlessSettings;
  readonly tags?: Readonly<Record<string, string>>;
}

export function buildCreateEndpointConfigRequest(
  input: EndpointConfigRequestInput,
): CreateEndpointConfigInput {
  const request: CreateEndpointConfigInput = {
    EndpointConfigName: input.configName,
    ProductionVariants: [
      input.serverless
        ? {
            VariantName: VARIANT_NAME,
            ModelName: input.modelName,
            ServerlessConfig: {
              MemorySizeInMB: input.serverless.memoryMb,
              MaxConcurrency: input.serverless.maxConcurrency,
            },
          }
        : {
            VariantName: VARIANT_NAME,
            ModelName: input.modelName,
            InstanceType: input.instanceType as ProductionVariantInstanceType,
            InitialInstanceCount: input.instanceCount,
            InitialVariantWeight: 1,
          },
    ],
  };
  const tags = toTags(input.tags);
  if (tags) request.Tags = tags;
  return request;
}

export function buildCreateEndpointRequest(input: {
  readonly endpointName: string;
  readonly configName: string;
  readonly tags?: Readonly<Record<string, string>>;
}): CreateEndpointInput {
  const request: CreateEndpointInput = {
    EndpointName: input.endpointName,
    EndpointConfigName: input.configName,
  };
  const tags = toTags(input.tags);
  if (tags) request.Tags = tags;
  return request;
}

/** Points an existing endpoint at a new config; SageMaker swaps instances without downtime. */
export function buildUpdateEndpointRequest(input: {
  readonly endpointName: string;
  readonly configName: string;
}): UpdateEndpointInput {
  return { EndpointName: input.endpointName, EndpointConfigName: input.configName };
}

export interface TransformJobRequestInput {
  readonly transformJobName: string;
  readonly modelName: string;
  /** The S3 prefix of the images, ending in '/'. */
  readonly inputUri: string;
  readonly outputUri: string;
  /** One content type for every object: the serve tells JPEG from PNG by their bytes. */
  readonly contentType: string;
  /** The largest image rounded up, at most the serve's 6 MB. */
  readonly maxPayloadMb: number;
  readonly instanceType: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * One image per request (`SplitType: None`, `SingleRecord`): the training image's `serve` takes a
 * raw JPEG or PNG body at POST /invocations, and SageMaker writes its answer as `<key>.out`.
 */
export function buildCreateTransformJobRequest(
  input: TransformJobRequestInput,
): CreateTransformJobRequest {
  const request: CreateTransformJobRequest = {
    TransformJobName: input.transformJobName,
    ModelName: input.modelName,
    BatchStrategy: 'SingleRecord',
    MaxPayloadInMB: input.maxPayloadMb,
    TransformInput: {
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: input.inputUri } },
      ContentType: input.contentType,
      SplitType: 'None',
      CompressionType: 'None',
    },
    TransformOutput: {
      S3OutputPath: input.outputUri,
      Accept: 'application/json',
      AssembleWith: 'None',
    },
    TransformResources: {
      InstanceType: input.instanceType as TransformInstanceType,
      InstanceCount: 1,
    },
  };
  const tags = toTags(input.tags);
  if (tags) request.Tags = tags;
  return request;
}
