import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CancelledError, UserError } from '../../../src/core/errors';
import { ensureBucket } from '../../../src/core/s3/bucket';
import { createS3Client } from '../../../src/core/s3/client';
import { downloadModelArtifact, downloadObject } from '../../../src/core/s3/download';
import { MiB } from '../../../src/core/s3/parts';
import { planUpload, type UploadPlan } from '../../../src/core/s3/plan';
import { uploadFiles, type UploadProgress } from '../../../src/core/s3/upload';
import { useMoto } from '../harness/services';

// The real SDK against a moto server over HTTP, reached through AWS_ENDPOINT_URL. moto enforces
// S3's 5 MiB minimum part size, so the generated folder has files of a few parts of 5 MiB.
const PART = 5 * MiB;

/** Counts the commands a client sends (once per send, before the SDK's own retries). */
function countRequests(client: S3Client): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.remove('tfodCountRequests');
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '?';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'tfodCountRequests' },
  );
  return counts;
}

function writeTrainingFolder(root: string): void {
  const write = (path: string, data: Buffer | string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), data);
  };
  write('pipeline.config', 'model { ssd { num_classes: 2 } }\n');
  write('label_map.pbtxt', "item { id: 1 name: 'cat' }\nitem { id: 2 name: 'dog' }\n");
  write('data/train.record-00000-of-00002', randomBytes(6 * MiB + 123));
  write('data/train.record-00001-of-00002', randomBytes(5 * MiB + MiB / 2));
  write('data/val.record', randomBytes(300 * 1024));
  write('ssd_model/model.ckpt.index', randomBytes(2048));
  write('ssd_model/model.ckpt.data-00000-of-00001', randomBytes(11 * MiB));
  write('ssd_model/checkpoint', 'model_checkpoint_path: "model.ckpt"\n');
  write('ssd_model/pipeline.config', 'model { ssd { num_classes: 90 } }\n');
  write('images/cat.jpg', randomBytes(1000));
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('S3 upload of a training folder (moto)', () => {
  let moto: ReturnType<typeof useMoto>;
  let s3: S3Client;
  let folder: string;
  const bucket = `tfod-upload-${process.pid}`;

  before(async () => {
    moto = useMoto();
    s3 = createS3Client({});
    folder = mkdtempSync(join(tmpdir(), 'tfod-upload-'));
    writeTrainingFolder(folder);
    await ensureBucket(s3, bucket, { create: true });
  });
  after(() => {
    s3?.destroy();
    moto?.restore();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  async function keysUnder(prefix: string): Promise<Map<string, number>> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    return new Map((listed.Contents ?? []).map((o) => [o.Key ?? '', o.Size ?? -1]));
  }

  async function pendingUploads(prefix: string) {
    const listed = await s3.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }),
    );
    return listed.Uploads ?? [];
  }

  /** An 11 MiB record whose multipart upload to `prefix` stopped after its first part. */
  async function interruptedAfterOnePart(prefix: string) {
    const dir = mkdtempSync(join(tmpdir(), 'tfod-interrupted-'));
    const path = join(dir, 'train.record');
    writeFileSync(path, randomBytes(11 * MiB));
    const file = {
      path,
      relative: 'train.record',
      key: `${prefix}train.record`,
      size: 11 * MiB,
      role: 'record' as const,
    };
    const plan = { destination: { bucket, key: prefix }, files: [file] };
    const controller = new AbortController();
    await assert.rejects(
      uploadFiles(plan, {
        client: s3,
        partSize: PART,
        concurrency: 1,
        signal: controller.signal,
        onProgress: (p) => p.event.type === 'part' && controller.abort(),
      }),
      CancelledError,
    );
    return { dir, path, file, plan };
  }

  it('uploads in the seed layout, multipart for large files, with checksums in metadata', async (t) => {
    const plan = await planUpload(folder, `s3://${bucket}/run1/`);
    assert.deepEqual(plan.problems, []);
    const counts = countRequests(s3);
    const progress: UploadProgress[] = [];
    const result = await uploadFiles(plan, {
      client: s3,
      partSize: PART,
      concurrency: 4,
      onProgress: (p) => progress.push(p),
    });
    t.diagnostic(
      `${(plan.totalBytes / MiB).toFixed(1)} MiB in ${result.seconds.toFixed(2)} s: ${(plan.totalBytes / MiB / result.seconds).toFixed(1)} MiB/s`,
    );
    const objects = await keysUnder('run1/');
    assert.deepEqual([...objects.keys()].sort(), [
      'run1/label_map.pbtxt',
      'run1/pipeline.config',
      'run1/ssd_model/checkpoint',
      'run1/ssd_model/model.ckpt.data-00000-of-00001',
      'run1/ssd_model/model.ckpt.index',
      'run1/ssd_model/pipeline.config',
      'run1/train.record-00000-of-00002',
      'run1/train.record-00001-of-00002',
      'run1/val.record',
    ]);
    for (const file of plan.files) {
      assert.equal(objects.get(file.key), file.size, file.key);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: file.key }));
      assert.equal(head.Metadata?.['tfod-sha256'], sha256(readFileSync(file.path)), file.key);
    }
    const big = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: 'run1/ssd_model/model.ckpt.data-00000-of-00001',
      }),
    );
    const bytes = Buffer.from(await big.Body!.transformToByteArray());
    assert.ok(bytes.equals(readFileSync(join(folder, 'ssd_model/model.ckpt.data-00000-of-00001'))));
    assert.match(big.ETag ?? '', /-3"$/, '11 MiB in 5 MiB parts is a 3-part multipart object');

    // 6 MiB (2 parts) + 5.5 MiB (2 parts) + 11 MiB (3 parts); the six small files PutObject.
    assert.equal(counts.get('UploadPartCommand'), 7);
    assert.equal(counts.get('CompleteMultipartUploadCommand'), 3);
    assert.equal(counts.get('PutObjectCommand'), 6);
    assert.equal(result.partsSent, 7);
    assert.equal(result.sentBytes, plan.totalBytes);
    assert.equal(result.skippedBytes, 0);
    const last = progress.at(-1)!;
    assert.equal(last.sentBytes, plan.totalBytes);
    assert.equal(last.filesDone, plan.files.length);
    const sent = progress.map((p) => p.sentBytes);
    assert.deepEqual(
      sent,
      [...sent].sort((a, b) => a - b),
      'byte progress only grows',
    );
    assert.deepEqual(await pendingUploads('run1/'), []);
  });

  it('a second run sends nothing; a changed file is sent again, alone', async () => {
    const plan = await planUpload(folder, `s3://${bucket}/run1/`);
    const counts = countRequests(s3);
    const again = await uploadFiles(plan, { client: s3, partSize: PART });
    assert.equal(again.sentBytes, 0);
    assert.equal(again.skipped.length, plan.files.length);
    assert.equal(counts.get('PutObjectCommand') ?? 0, 0);
    assert.equal(counts.get('UploadPartCommand') ?? 0, 0);
    assert.equal(counts.get('HeadObjectCommand'), plan.files.length);

    // Same size, different bytes: the size alone would have skipped it.
    const label = join(folder, 'label_map.pbtxt');
    writeFileSync(label, readFileSync(label, 'utf8').replace("'dog'", "'cow'"));
    const changed = await uploadFiles(await planUpload(folder, `s3://${bucket}/run1/`), {
      client: s3,
      partSize: PART,
    });
    assert.deepEqual(changed.uploaded, ['run1/label_map.pbtxt']);
    assert.equal(changed.sentBytes, readFileSync(label).length);
    const object = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'run1/label_map.pbtxt' }),
    );
    assert.match(await object.Body!.transformToString(), /'cow'/);
  });

  it('resumes after an interruption: only the missing parts and files are sent', async (t) => {
    const plan: UploadPlan = await planUpload(folder, `s3://${bucket}/run2/`);
    const controller = new AbortController();
    let parts = 0;
    await assert.rejects(
      uploadFiles(plan, {
        client: s3,
        partSize: PART,
        concurrency: 1,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.event.type === 'part' && ++parts === 3) controller.abort();
        },
      }),
      CancelledError,
    );
    // What S3 holds now: complete objects and the parts of unfinished multipart uploads.
    const complete = await keysUnder('run2/');
    assert.ok(complete.size < plan.files.length, 'the first run did not finish');
    const pending = await pendingUploads('run2/');
    assert.ok(pending.length >= 1, 'the interrupted multipart upload is left to resume');
    let partsHeld = 0;
    for (const upload of pending) {
      const listed = await s3.send(
        new ListPartsCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }),
      );
      partsHeld += listed.Parts?.length ?? 0;
    }
    assert.ok(partsHeld >= 1, `S3 holds ${partsHeld} parts`);

    const counts = countRequests(s3);
    const resumed = await uploadFiles(plan, { client: s3, partSize: PART, concurrency: 4 });
    t.diagnostic(
      `interrupted after ${complete.size} objects and ${partsHeld} parts; the re-run sent ${resumed.partsSent} parts, ${(resumed.sentBytes / MiB).toFixed(1)} of ${(plan.totalBytes / MiB).toFixed(1)} MiB`,
    );
    const totalParts = 7;
    assert.equal(resumed.partsReused, partsHeld, 'every part S3 held was kept');
    assert.equal(resumed.partsSent, totalParts - partsHeld - partsOfCompleteFiles(plan, complete));
    assert.equal(counts.get('UploadPartCommand') ?? 0, resumed.partsSent);
    assert.equal(
      counts.get('PutObjectCommand') ?? 0,
      plan.files.filter((f) => f.size <= PART && !complete.has(f.key)).length,
    );
    assert.equal(resumed.skipped.length, complete.size);
    assert.equal(resumed.sentBytes + resumed.skippedBytes, plan.totalBytes);
    assert.ok(resumed.sentBytes < plan.totalBytes);

    const objects = await keysUnder('run2/');
    for (const file of plan.files) {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: file.key }));
      assert.equal(object.Metadata?.['tfod-sha256'], sha256(readFileSync(file.path)), file.key);
      assert.equal(objects.get(file.key), file.size, file.key);
      const body = Buffer.from(await object.Body!.transformToByteArray());
      assert.ok(body.equals(readFileSync(file.path)), `${file.key} has the file's bytes`);
    }
    assert.deepEqual(await pendingUploads('run2/'), [], 'no multipart upload left behind');
  });

  it('re-sends a held part whose bytes changed, and records the new checksum', async () => {
    const { dir, path, file, plan } = await interruptedAfterOnePart('run5/');
    try {
      assert.equal((await pendingUploads('run5/')).length, 1);
      // Change a byte inside the part S3 already holds (part 1 or 2, whichever ran first).
      const data = readFileSync(path);
      data[0] ^= 0xff;
      data[PART + 1] ^= 0xff;
      writeFileSync(path, data);
      const result = await uploadFiles(plan, { client: s3, partSize: PART });
      assert.equal(result.partsReused, 0, 'the held part no longer matches the file');
      assert.equal(result.partsSent, 3);
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: file.key }));
      assert.equal(object.Metadata?.['tfod-sha256'], sha256(data));
      assert.ok(Buffer.from(await object.Body!.transformToByteArray()).equals(data));
      assert.deepEqual(await pendingUploads('run5/'), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rewrites the checksum of a resumed object over the CopyObject limit by a multipart copy', async () => {
    // S3 copies at most 5 GB in one CopyObject; the limit is lowered so an 11 MiB object stands in.
    const { dir, path, file, plan } = await interruptedAfterOnePart('run7/');
    try {
      // The file changes after the interruption: the upload's recorded checksum is now stale.
      const data = readFileSync(path);
      data[data.length - 1] ^= 0xff;
      writeFileSync(path, data);
      const counts = countRequests(s3);
      await uploadFiles(plan, { client: s3, partSize: PART, copyObjectLimit: 8 * MiB });
      assert.equal(counts.get('CopyObjectCommand') ?? 0, 0, 'CopyObject would fail over 5 GB');
      assert.equal(counts.get('UploadPartCopyCommand'), 3);
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: file.key }));
      assert.equal(object.Metadata?.['tfod-sha256'], sha256(data));
      assert.ok(Buffer.from(await object.Body!.transformToByteArray()).equals(data));
      assert.deepEqual(await pendingUploads('run7/'), [], 'the copy upload was completed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('retries a failed part with backoff and completes', async () => {
    const plan = await planUpload(folder, `s3://${bucket}/run3/`);
    const client = createS3Client({});
    let failures = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { PartNumber?: number };
        if (context.commandName === 'UploadPartCommand' && input.PartNumber === 2 && failures < 2) {
          failures++;
          throw Object.assign(new Error('injected connection reset'), { code: 'ECONNRESET' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'tfodFailParts' },
    );
    const retries: string[] = [];
    const result = await uploadFiles(
      { destination: plan.destination, files: plan.files.filter((f) => f.size > PART).slice(0, 1) },
      {
        client,
        partSize: PART,
        retryDelayMs: 10,
        onProgress: (p) => {
          if (p.event.type === 'retry') retries.push(`${p.event.partNumber}:${p.event.attempt}`);
        },
      },
    );
    client.destroy();
    assert.deepEqual(retries, ['2:1', '2:2']);
    assert.equal(result.uploaded.length, 1);

    // Retries are bounded: a part that always fails ends the upload with its error.
    const failing = createS3Client({});
    failing.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UploadPartCommand')
          throw Object.assign(new Error('injected outage'), { code: 'ECONNRESET' });
        return next(args);
      },
      { step: 'initialize', name: 'tfodFailAll' },
    );
    const plan4 = await planUpload(folder, `s3://${bucket}/run4/`);
    const tries = new Map<number, number>();
    await assert.rejects(
      uploadFiles(
        {
          destination: plan4.destination,
          files: plan4.files.filter((f) => f.size > PART).slice(0, 1),
        },
        {
          client: failing,
          partSize: PART,
          retries: 2,
          retryDelayMs: 1,
          concurrency: 1,
          onProgress: (p) => {
            if (p.event.type === 'retry' && p.event.partNumber !== undefined)
              tries.set(p.event.partNumber, (tries.get(p.event.partNumber) ?? 0) + 1);
          },
        },
      ),
      /injected outage/,
    );
    failing.destroy();
    // Each part gets at most `retries` more tries; the first part to run out ends the upload.
    assert.ok(tries.size >= 1);
    assert.ok(
      [...tries.values()].every((n) => n <= 2),
      JSON.stringify([...tries]),
    );
    assert.ok([...tries.values()].includes(2));
  });

  it('downloads an object streamed to a file, and says when it is missing', async () => {
    const dest = mkdtempSync(join(tmpdir(), 'tfod-download-'));
    try {
      const seen: number[] = [];
      const result = await downloadModelArtifact(
        `s3://${bucket}/run1/ssd_model/model.ckpt.data-00000-of-00001`,
        dest,
        { client: s3, onProgress: (p) => seen.push(p.receivedBytes) },
      );
      const original = readFileSync(join(folder, 'ssd_model/model.ckpt.data-00000-of-00001'));
      assert.equal(result.bytes, original.length);
      assert.ok(readFileSync(result.path).equals(original));
      assert.equal(seen.at(-1), original.length);
      assert.ok(seen.length > 1, 'progress while streaming');

      await assert.rejects(
        downloadObject(`s3://${bucket}/run1/nothing/model.tar.gz`, join(dest, 'x'), { client: s3 }),
        (e: unknown) => e instanceof UserError && /does not exist/.test(e.message),
      );
      const controller = new AbortController();
      await assert.rejects(
        downloadObject(
          `s3://${bucket}/run1/ssd_model/model.ckpt.data-00000-of-00001`,
          join(dest, 'y'),
          {
            client: s3,
            signal: controller.signal,
            onProgress: () => controller.abort(),
          },
        ),
        CancelledError,
      );
      assert.ok(!existsSync(join(dest, 'y')) && !existsSync(join(dest, 'y.part')));
    } finally {
      rmSync(dest, { recursive: true, force: true });
    }
  });
});

describe('S3 buckets (moto)', () => {
  let moto: ReturnType<typeof useMoto>;
  before(() => {
    moto = useMoto();
  });
  after(() => moto?.restore());

  it('refuses a missing bucket unless asked to create it, then creates it once', async () => {
    const s3 = createS3Client({});
    const name = `tfod-bucket-${process.pid}`;
    await assert.rejects(
      ensureBucket(s3, name),
      (e: unknown) =>
        e instanceof UserError && /does not exist/.test(e.message) && /create/i.test(e.fix ?? ''),
    );
    assert.deepEqual(await ensureBucket(s3, name, { create: true }), { created: true });
    assert.deepEqual(await ensureBucket(s3, name, { create: true }), { created: false });
    assert.deepEqual(await ensureBucket(s3, name), { created: false });
    await assert.rejects(ensureBucket(s3, 'Bad_Name'), /not a valid bucket name/);
    s3.destroy();
  });

  it('creates a bucket in the client’s region', async () => {
    const s3 = createS3Client({ region: 'eu-west-1' });
    const name = `tfod-bucket-eu-${process.pid}`;
    assert.deepEqual(await ensureBucket(s3, name, { create: true }), { created: true });
    const location = await s3.send(new GetBucketLocationCommand({ Bucket: name }));
    assert.equal(location.LocationConstraint, 'eu-west-1');
    s3.destroy();
  });
});

/** Parts of multipart files that the first run completed entirely (they are skipped whole). */
function partsOfCompleteFiles(plan: UploadPlan, complete: Map<string, number>): number {
  return plan.files
    .filter((f) => f.size > PART && complete.has(f.key))
    .reduce((sum, f) => sum + Math.ceil(f.size / PART), 0);
}
