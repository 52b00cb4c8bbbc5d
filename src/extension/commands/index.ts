import type { TfodContext } from '../context';
import { selectAwsProfile } from './aws/selectProfile';
import { selectAwsRegion } from './aws/selectRegion';
import { trainWithConfig } from './config/train';
import { validateConfig } from './config/validate';
import { convertAnnotationsCommand } from './data/convert';
import { uploadTrainingData } from './data/upload';
import { copyEndpointUrl } from './endpoint/copyUrl';
import { deleteEndpoint } from './endpoint/delete';
import { deployEndpoint } from './endpoint/deploy';
import { serveLocally } from './endpoint/serveLocally';
import { stopLocalEndpoint } from './endpoint/stopLocal';
import { buildTrainingImageCommand } from './image/build';
import { buildAndPushImage } from './image/buildAndPush';
import { pushTrainingImageCommand } from './image/push';
import { copyModelUri } from './job/copyModelUri';
import { batchDetect } from './model/batchDetect';
import { evaluateModel } from './model/evaluate';
import { showJobLogs } from './job/showLogs';
import { openTensorBoard } from './job/openTensorBoard';
import { showJobMetrics } from './job/showMetrics';
import { startJob } from './job/start';
import { stopJob } from './job/stop';
import { copyArn } from './jobs/copyArn';
import { openInConsole } from './jobs/openInConsole';
import { refreshJobs } from './jobs/refresh';
import { showAllCommands } from './palette/show';
import { showLog } from './log/show';
import { openPreview } from './preview/open';
import { newProjectFromZoo } from './project/newFromZoo';
import { registerCommand } from './registerCommand';
import { createSampleProject } from './sample/create';
import { selectTarget } from './target/select';

/** Every palette command, by id; package.json contributes exactly these (a unit test checks). */
export const COMMANDS = {
  'tfod.target.select': selectTarget,
  'tfod.log.show': showLog,
  'tfod.palette.show': showAllCommands,
  'tfod.aws.selectProfile': selectAwsProfile,
  'tfod.aws.selectRegion': selectAwsRegion,
  'tfod.jobs.refresh': refreshJobs,
  'tfod.jobs.openInConsole': openInConsole,
  'tfod.jobs.copyArn': copyArn,
  'tfod.job.start': startJob,
  'tfod.job.stop': stopJob,
  'tfod.job.showLogs': showJobLogs,
  'tfod.job.showMetrics': showJobMetrics,
  'tfod.job.openTensorBoard': openTensorBoard,
  'tfod.job.copyModelUri': copyModelUri,
  'tfod.endpoint.deploy': deployEndpoint,
  'tfod.endpoint.delete': deleteEndpoint,
  'tfod.endpoint.serveLocally': serveLocally,
  'tfod.endpoint.stopLocal': stopLocalEndpoint,
  'tfod.endpoint.copyUrl': copyEndpointUrl,
  'tfod.data.convert': convertAnnotationsCommand,
  'tfod.data.upload': uploadTrainingData,
  'tfod.image.buildAndPush': buildAndPushImage,
  'tfod.image.build': buildTrainingImageCommand,
  'tfod.image.push': pushTrainingImageCommand,
  'tfod.sample.create': createSampleProject,
  'tfod.preview.open': openPreview,
  'tfod.project.newFromZoo': newProjectFromZoo,
  'tfod.model.evaluate': evaluateModel,
  'tfod.model.batchDetect': batchDetect,
  'tfod.config.validate': validateConfig,
  'tfod.config.train': trainWithConfig,
} as const;

/**
 * The commands that work in Restricted Mode (package.json `capabilities.untrustedWorkspaces`):
 * none of them runs Docker, calls AWS or acts on settings the workspace could have chosen.
 * Every other command asks for workspace trust first.
 */
export const RESTRICTED_MODE_COMMANDS: ReadonlySet<keyof typeof COMMANDS> = new Set([
  'tfod.log.show',
  'tfod.palette.show',
  'tfod.target.select',
  'tfod.jobs.refresh',
  'tfod.sample.create',
] as const);

export function registerCommands(ctx: TfodContext): void {
  for (const [id, handler] of Object.entries(COMMANDS)) {
    registerCommand(ctx, id, handler as (ctx: TfodContext, ...args: unknown[]) => unknown, {
      needsTrust: !RESTRICTED_MODE_COMMANDS.has(id as keyof typeof COMMANDS),
    });
  }
}
