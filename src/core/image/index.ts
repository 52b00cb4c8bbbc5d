export {
  ARCHITECTURES,
  architectureProblem,
  baseImageFor,
  imageBuildArgs,
  parseBuildArgs,
  DEFAULT_ARCHITECTURE,
  parseArchitecture,
  type Architecture,
} from './architecture';
export {
  buildImage,
  formatBytes,
  splitImageName,
  tagImage,
  type BuildOptions,
  type BuildProgress,
  type BuildResult,
} from './build';
export {
  describeImageBuildSettings,
  imageBuildSettings,
  type ImageBuildSettings,
} from './buildSettings';
export {
  DEFAULT_DOCKERIGNORE,
  DockerIgnore,
  listBuildContext,
  tarBuildContext,
} from './buildContext';
export {
  buildProgressMessage,
  buildTrainingImage,
  defaultArchitecture,
  DOCKERFILE,
  findBuildContext,
  imageReferenceProblem,
  LOCAL_IMAGE_REPOSITORY,
  localImageName,
  type TrainingImageBuild,
} from './trainingImage';
export {
  createEcrClient,
  ecrHost,
  ecrLogin,
  ensureRepository,
  imageTagProblem,
  imageUri,
  RegistryCredentials,
  repositoryNameProblem,
  type EcrRepository,
} from './ecr';
export {
  pushFailure,
  pushImage,
  PushProgress,
  type LayerState,
  type PushOptions,
  type PushResult,
  type PushSnapshot,
  type RegistryAuth,
} from './push';
