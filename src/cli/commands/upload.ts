import type { Command } from 'commander';
import { formatBytes } from '../../core/image/build';
import {
  createS3Client,
  ensureBucket,
  planProblemsError,
  planUpload,
  uploadFiles,
} from '../../core/s3';
import {
  addAwsOptions,
  awsSession,
  integer,
  interruptible,
  output,
  type AwsFlags,
} from './targetOptions';

interface UploadFlags extends AwsFlags {
  readonly createBucket?: boolean;
  readonly concurrency: number;
  readonly dryRun?: boolean;
}

/**
 * `tfod upload <folder> s3://bucket/prefix/`: checks the training folder, refuses it with the list
 * of what is missing, uploads it in the seed's layout; a re-run sends only what is missing.
 */
export function register(program: Command): void {
  const command = program
    .command('upload')
    .description('Check a training folder and upload it to S3 in the layout training jobs read')
    .argument('<folder>', 'folder with TFRecords, pipeline.config, label map and checkpoint')
    .argument('<s3uri>', 'destination prefix, e.g. s3://my-bucket/data/')
    .option('--create-bucket', 'create the bucket when it does not exist')
    .option('-c, --concurrency <n>', 'requests in flight at once', integer('--concurrency'), 4)
    .option('--dry-run', 'print what would go where, upload nothing');
  addAwsOptions(command).action(
    async (folder: string, destination: string, flags: UploadFlags, cmd: Command) => {
      const { out, err } = output(cmd);
      const plan = await planUpload(folder, destination);
      if (plan.problems.length) throw planProblemsError(plan);
      for (const note of plan.notes) err(`note: ${note}\n`);
      if (flags.dryRun) {
        for (const file of plan.files)
          out(
            `${file.relative} -> s3://${plan.destination.bucket}/${file.key} (${formatBytes(file.size)})\n`,
          );
        out(`training channel: ${plan.channels.training}\n`);
        if (plan.channels.checkpoint) out(`checkpoint channel: ${plan.channels.checkpoint}\n`);
        return;
      }
      const session = awsSession(flags);
      const client = createS3Client(session);
      try {
        const result = await interruptible(async (signal) => {
          const bucket = await ensureBucket(client, plan.destination.bucket, {
            create: Boolean(flags.createBucket),
            signal,
            session,
          });
          if (bucket.created) err(`created bucket ${plan.destination.bucket}\n`);
          return uploadFiles(plan, {
            client,
            signal,
            session,
            concurrency: flags.concurrency,
            onProgress: (p) => {
              const e = p.event;
              const done = formatBytes(p.sentBytes + p.skippedBytes);
              const line =
                e.type === 'skipped'
                  ? `skipped ${e.key} (already there)`
                  : e.type === 'uploaded'
                    ? `uploaded ${e.key}`
                    : e.type === 'resumed'
                      ? `resuming ${e.key}: ${e.parts} parts already there`
                      : e.type === 'retry'
                        ? `retrying ${e.key} (attempt ${e.attempt}): ${e.error}`
                        : undefined;
              if (line) err(`[${done} of ${formatBytes(p.totalBytes)}] ${line}\n`);
            },
          });
        });
        out(
          `Uploaded ${result.uploaded.length} files (${formatBytes(result.sentBytes)}), ${result.skipped.length} already there, to ${plan.channels.training}\n`,
        );
        out(`training channel: ${plan.channels.training}\n`);
        if (plan.channels.checkpoint) out(`checkpoint channel: ${plan.channels.checkpoint}\n`);
      } finally {
        client.destroy();
      }
    },
  );
}
