import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { AwsSessionOptions } from '../aws/session';
import { UserError } from '../errors';
import type { ChannelFiles } from '../training/configCheck';
import { ListedFilesHost } from '../training/listedHost';
import { describeTrainingFiles, type TrainingFolder } from '../training/resources';
import { explainS3Error } from './errors';
import { formatS3Uri, joinKey, parseS3Prefix } from './uri';

/** A training prefix with more objects than this is not checked (it holds more than records). */
const MAX_KEYS = 10_000;
/** The channel's root as the validator sees it: SageMaker copies the prefix to such a folder. */
const ROOT = '/opt/ml/input/data/training';

export interface S3TrainingChannel {
  readonly channel: ChannelFiles;
  readonly training: TrainingFolder;
}

/**
 * The training channel of a SageMaker job as its container will see it: the keys under the prefix,
 * relative to it, and the text of the pipeline config and label map the container takes. Failures
 * are UserErrors (or the SDK's error) saying what could not be read.
 */
export async function readS3TrainingChannel(
  client: S3Client,
  uri: string,
  options: { readonly signal?: AbortSignal | undefined; readonly session?: AwsSessionOptions } = {},
): Promise<S3TrainingChannel> {
  const prefix = parseS3Prefix(uri);
  const shown = formatS3Uri(prefix);
  const relatives: string[] = [];
  try {
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: prefix.bucket,
          Prefix: prefix.key,
          ...(token ? { ContinuationToken: token } : {}),
        }),
        { abortSignal: options.signal },
      );
      for (const object of page.Contents ?? [])
        if (object.Key && !object.Key.endsWith('/'))
          relatives.push(object.Key.slice(prefix.key.length));
      if (relatives.length > MAX_KEYS)
        throw new UserError(
          `${shown} holds more than ${MAX_KEYS} objects`,
          'Keep only the TFRecords, pipeline.config and label map under the training prefix',
        );
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (error) {
    throw explainS3Error(error, `listing ${shown}`, options.session);
  }
  const training = describeTrainingFiles(relatives.sort());
  const texts = new Map<string, Uint8Array>();
  for (const relative of [training.pipelineConfigs[0], training.labelMaps[0]]) {
    if (relative === undefined) continue;
    const key = joinKey(prefix.key, relative);
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: prefix.bucket, Key: key }), {
        abortSignal: options.signal,
      });
      if (!object.Body) throw new Error(`S3 returned no body for ${key}`);
      texts.set(relative, await object.Body.transformToByteArray());
    } catch (error) {
      throw explainS3Error(error, `reading ${formatS3Uri({ ...prefix, key })}`, options.session);
    }
  }
  const decoder = new TextDecoder();
  const host = new ListedFilesHost(
    ROOT,
    relatives,
    new Map([...texts].map(([relative, bytes]) => [relative, decoder.decode(bytes)])),
  );
  return {
    training,
    channel: {
      root: ROOT,
      host,
      read: (relative) => {
        const bytes = texts.get(relative);
        return bytes
          ? Promise.resolve(bytes)
          : Promise.reject(new Error(`${relative} was not read from ${shown}`));
      },
      display: (relative) => formatS3Uri({ ...prefix, key: joinKey(prefix.key, relative) }),
    },
  };
}
