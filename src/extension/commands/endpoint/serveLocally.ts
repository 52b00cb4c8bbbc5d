import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../../core/errors';
import { formatDuration, resourceNameProblem } from '../../../core/jobs';
import {
  localEndpointName,
  LocalTarget,
  DEFAULT_READY_TIMEOUT_MS,
  type LocalModelSource,
} from '../../../core/local';
import { parseS3Uri } from '../../../core/s3';
import { downloadS3Model } from '../../s3/modelDownload';
import { getJobsViewTargets } from '../../config';
import type { TfodContext } from '../../context';
import { targets } from '../../targets';
import { asJobNode, isJobsNode } from '../../views/nodes';
import { DEFAULT_LOCAL_IMAGE } from '../job/startFlowLocal';
import { recall, remember } from '../memory';
import type { Ask, Flow, PickItem } from '../../flows/flow';
import { runQuickInputFlow } from '../../flows/quickInput';
import { withCancellableProgress } from '../registerCommand';

/** The flow's title (translated when asked, not at load). */
const title = (): string => vscode.l10n.t('Serve Model Locally');

/** What to serve: a source the local target takes, or a model.tar.gz in S3 to download first. */
type Source = (
  | { readonly kind: 'local'; readonly model: LocalModelSource; readonly image?: string }
  | { readonly kind: 's3'; readonly uri: string; readonly job?: string }
) & {
  /** The pick item it came from, active again going back. */
  readonly label?: string;
};

/** The `tfod.local.*` serving settings; 0 workers means the image's default (one per GPU on a GPU host, else one per CPU). */
export interface LocalServingSettings {
  readonly workers: number | undefined;
  readonly timeoutSeconds: number;
  readonly healthTimeoutMs: number;
}

export function localServingSettings(): LocalServingSettings {
  const config = vscode.workspace.getConfiguration('tfod.local');
  const whole = (key: string, fallback: number, min: number): number => {
    const value = config.get<number>(key);
    return typeof value === 'number' && Number.isInteger(value) && value >= min ? value : fallback;
  };
  const workers = whole('modelServerWorkers', 0, 0);
  return {
    workers: workers > 0 ? workers : undefined,
    timeoutSeconds: whole('modelServerTimeout', 60, 1),
    healthTimeoutMs: whole('healthTimeoutSeconds', DEFAULT_READY_TIMEOUT_MS / 1000, 1) * 1000,
  };
}

function localTarget(ctx: TfodContext): LocalTarget {
  const target = targets(ctx).require('local');
  if (!(target instanceof LocalTarget)) throw new Error('the local target is not a LocalTarget');
  return target;
}

/**
 * tfod.endpoint.serveLocally: runs the image's `serve` in Docker on this machine with a model (a
 * completed local job's, a SageMaker job's model.tar.gz downloaded from S3, a model.tar.gz or a
 * folder), waits for /ping, and shows the endpoint with its URL in the jobs view.
 */
export async function serveLocally(ctx: TfodContext, arg?: unknown): Promise<string | undefined> {
  const target = localTarget(ctx);
  const fromNode = await sourceFromNode(ctx, arg);
  const items = fromNode ? [] : await sourceItems(ctx, target);
  const endpoints = await target.listEndpoints().catch(() => []);
  const { source, endpointName, image } = await runQuickInputFlow(
    serveFlow(
      items,
      endpoints.map((e) => e.name),
      recall(ctx, 'serve.last').image,
    ),
    { source: fromNode, s3: false, endpointName: '', image: '' },
  );
  if (!source) throw new Error('serve locally: no model source');
  await remember(ctx, 'serve.last', { image });

  const settings = localServingSettings();
  const result = await withCancellableProgress(
    vscode.l10n.t('Serving {0} locally', endpointName),
    async (progress, signal) => {
      let scratch: string | undefined;
      try {
        let model: LocalModelSource;
        if (source.kind === 's3') {
          scratch = await mkdtemp(join(tmpdir(), 'tfod-serve-'));
          model = {
            kind: 'archive',
            path: await downloadS3Model(ctx, source.uri, scratch, signal, progress),
          };
        } else model = source.model;
        return await target.serve(
          {
            endpointName,
            model,
            image,
            ...(settings.workers !== undefined ? { workers: settings.workers } : {}),
            timeoutSeconds: settings.timeoutSeconds,
          },
          {
            signal,
            timeoutMs: settings.healthTimeoutMs,
            onProgress: (p) => {
              const elapsed = p.elapsedMs !== undefined ? ` (${formatDuration(p.elapsedMs)})` : '';
              progress.report({ message: `${p.message}${elapsed}` });
              if (p.phase !== 'wait') ctx.log.info(`serve ${endpointName}: ${p.message}`);
              if (p.phase === 'create') targets(ctx).jobsChanged();
            },
          },
        );
      } finally {
        targets(ctx).jobsChanged();
        if (scratch) await rm(scratch, { recursive: true, force: true });
      }
    },
  );
  const url = result.endpoint.url ?? '';
  ctx.log.info(`local endpoint ${endpointName} serves ${result.modelName} at ${url}`);
  const copy = vscode.l10n.t('Copy URL');
  const show = vscode.l10n.t('Show Local Target');
  // The jobs view shows the local endpoint unless it lists only another, selected target.
  const listed = targets(ctx).current() === 'local' || getJobsViewTargets() === 'all';
  const actions = listed ? [copy] : [copy, show];
  void vscode.window
    .showInformationMessage(
      vscode.l10n.t(
        'Local endpoint {0} is {1} at {2} (POST {2}/invocations).',
        endpointName,
        result.endpoint.status,
        url,
      ),
      ...actions,
    )
    .then(async (choice) => {
      if (choice === copy) await vscode.env.clipboard.writeText(url);
      if (choice === show) await vscode.commands.executeCommand('tfod.target.select', 'local');
    });
  return endpointName;
}

/** The source a jobs-view node stands for: a local job, or a SageMaker job's model in S3. */
async function sourceFromNode(ctx: TfodContext, arg: unknown): Promise<Source | undefined> {
  const job = asJobNode(arg);
  if (job) {
    const name = job.entry.summary.name;
    if (job.kind === 'local')
      return {
        kind: 'local',
        model: { kind: 'job', job: name },
        ...(job.entry.details?.image ? { image: job.entry.details.image } : {}),
      };
    const uri =
      job.entry.details?.modelArtifacts ??
      (await targets(ctx).require(job.kind).describeTrainingJob(name)).modelArtifacts;
    if (!uri)
      throw new UserError(
        vscode.l10n.t("training job '{0}' has no model artifact to serve", name),
        vscode.l10n.t('Serve a job that has Completed'),
      );
    return { kind: 's3', uri, job: name };
  }
  if (isJobsNode(arg) && arg.type === 'model')
    return arg.kind === 'local'
      ? { kind: 'local', model: { kind: 'job', job: arg.job } }
      : { kind: 's3', uri: arg.uri, job: arg.job };
  return undefined;
}

interface ServeAnswers {
  readonly source: Source | undefined;
  /** The source is a model.tar.gz in S3 whose URI the next step asks. */
  readonly s3: boolean;
  /** Empty until asked: derived from the source. */
  readonly endpointName: string;
  readonly image: string;
}

/** A source to pick: `pick` makes it (undefined: its dialog was closed), or asks for an S3 URI. */
type SourceItem = PickItem & {
  readonly pick: (ask: Ask) => Promise<Source | 's3' | undefined>;
};

function serveFlow(
  items: readonly SourceItem[],
  endpoints: readonly string[],
  lastImage: string | undefined,
): Flow<ServeAnswers> {
  // A new source, a new endpoint name and image.
  const derived = { endpointName: '', image: '' };
  return {
    title: title(),
    steps: [
      {
        when: () => items.length > 0,
        ask: async (s, ask) => {
          for (;;) {
            const item = await ask.pick({
              items,
              placeHolder: vscode.l10n.t('The model to serve in Docker on this machine'),
              active: items.find((i) => i.label === s.source?.label),
            });
            const picked = await item.pick(ask);
            if (picked === 's3') return { source: undefined, s3: true, ...derived };
            if (picked) return { source: { ...picked, label: item.label }, s3: false, ...derived };
          }
        },
      },
      {
        when: (s) => s.s3,
        ask: async (s, ask) => {
          const uri = await ask.text({
            prompt: vscode.l10n.t('S3 URI of the model.tar.gz (the training job’s model artifact)'),
            value: s.source?.kind === 's3' ? s.source.uri : '',
            placeHolder: 's3://bucket/prefix/job/output/model.tar.gz',
            validate: (value) => {
              try {
                const { key } = parseS3Uri(value);
                return key && !key.endsWith('/')
                  ? undefined
                  : vscode.l10n.t('The full S3 URI of the object');
              } catch (error) {
                return error instanceof Error ? error.message : String(error);
              }
            },
          });
          return { source: { kind: 's3', uri }, ...derived };
        },
      },
      {
        ask: async (s, ask) => ({
          endpointName: await ask.text({
            prompt: vscode.l10n.t(
              'Local endpoint name (an existing one is replaced: {0})',
              endpoints.slice(0, 5).join(', ') || vscode.l10n.t('none yet'),
            ),
            value: s.endpointName || (s.source ? defaultEndpointName(s.source) : ''),
            validate: (value) => resourceNameProblem(value, 'endpoint name'),
          }),
        }),
      },
      {
        ask: async (s, ask) => ({
          image: await ask.text({
            prompt: vscode.l10n.t(
              'Serving image on this Docker engine (the training image serves too)',
            ),
            value:
              s.image ||
              ((s.source?.kind === 'local' ? s.source.image : undefined) ??
                lastImage ??
                DEFAULT_LOCAL_IMAGE),
            validate: (value) =>
              /^[\w.\-/:@]+$/.test(value)
                ? undefined
                : vscode.l10n.t('A Docker image reference, e.g. tfod-sagemaker:2.9.1'),
          }),
        }),
      },
    ],
  };
}

function defaultEndpointName(source: Source): string {
  return localEndpointName(source.kind === 's3' ? (source.job ?? source.uri) : source.model);
}

async function sourceItems(ctx: TfodContext, target: LocalTarget): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  const local = await target.listTrainingJobs({ maxResults: 50 }).catch((error: unknown) => {
    ctx.log.warn(`serve locally: cannot list local jobs: ${String(error)}`);
    return [];
  });
  for (const job of local.filter((j) => j.status === 'Completed'))
    items.push({
      label: job.name,
      description: vscode.l10n.t('local training job'),
      detail: vscode.l10n.t(
        'Completed {0}',
        (job.trainingEndTime ?? job.creationTime).toLocaleString(),
      ),
      pick: async () => {
        const details = await target.describeTrainingJob(job.name).catch(() => undefined);
        return {
          kind: 'local',
          model: { kind: 'job', job: job.name },
          ...(details?.image ? { image: details.image } : {}),
        };
      },
    });
  if (targets(ctx).current() === 'sagemaker') {
    const sagemaker = targets(ctx).require('sagemaker');
    const jobs = await sagemaker.listTrainingJobs({ maxResults: 20 }).catch(() => []);
    for (const job of jobs.filter((j) => j.status === 'Completed'))
      items.push({
        label: job.name,
        description: vscode.l10n.t('SageMaker training job (downloads its model.tar.gz)'),
        pick: async () => {
          const { modelArtifacts } = await sagemaker.describeTrainingJob(job.name);
          if (!modelArtifacts)
            throw new UserError(
              vscode.l10n.t("training job '{0}' has no model artifact to serve", job.name),
            );
          return { kind: 's3', uri: modelArtifacts, job: job.name };
        },
      });
  }
  const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? homedir();
  items.push(
    {
      label: vscode.l10n.t('$(folder) Model folder…'),
      detail: vscode.l10n.t('A folder with model.json (TensorFlow.js) or saved_model.pb'),
      pick: async (ask) => {
        const path = await ask.browse({ base, folders: true, files: false });
        return path ? { kind: 'local', model: { kind: 'folder', path } } : undefined;
      },
    },
    {
      label: vscode.l10n.t('$(file-zip) model.tar.gz…'),
      detail: vscode.l10n.t('A model archive as a training job writes it'),
      pick: async (ask) => {
        const path = await ask.browse({
          base,
          folders: false,
          files: true,
          filters: { [vscode.l10n.t('Model archive')]: ['gz', 'tgz'] },
        });
        return path ? { kind: 'local', model: { kind: 'archive', path } } : undefined;
      },
    },
    {
      label: vscode.l10n.t('$(cloud) model.tar.gz in S3…'),
      detail: vscode.l10n.t('A model trained on SageMaker: downloaded, then served here'),
      pick: async () => 's3',
    },
  );
  return items;
}
