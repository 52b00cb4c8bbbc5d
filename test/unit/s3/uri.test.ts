import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors';
import {
  bucketNameProblem,
  formatS3Uri,
  joinKey,
  parseS3Prefix,
  parseS3Uri,
} from '../../../src/core/s3/uri';
import { s3EndpointOverride } from '../../../src/core/s3/client';

function rejects(uri: string, message: RegExp, fix?: RegExp) {
  assert.throws(
    () => parseS3Uri(uri),
    (error: unknown) => {
      assert.ok(error instanceof UserError, `${uri}: ${String(error)}`);
      assert.match(error.message, message, uri);
      if (fix) assert.match(error.fix ?? '', fix, uri);
      return true;
    },
  );
}

describe('S3 URIs', () => {
  it('parses buckets, keys and prefixes', () => {
    assert.deepEqual(parseS3Uri('s3://my-bucket/training/'), {
      bucket: 'my-bucket',
      key: 'training/',
    });
    assert.deepEqual(parseS3Uri('s3://my-bucket'), { bucket: 'my-bucket', key: '' });
    assert.deepEqual(parseS3Uri(' s3://b.with.dots/a/b/model.tar.gz '), {
      bucket: 'b.with.dots',
      key: 'a/b/model.tar.gz',
    });
    assert.deepEqual(parseS3Prefix('s3://my-bucket/training'), {
      bucket: 'my-bucket',
      key: 'training/',
    });
    assert.deepEqual(parseS3Prefix('s3://my-bucket/'), { bucket: 'my-bucket', key: '' });
  });

  it('formats and round-trips', () => {
    for (const uri of ['s3://b-1/', 's3://b-1/p/q/', 's3://b-1/p/model.tar.gz'])
      assert.equal(formatS3Uri(parseS3Uri(uri)), uri);
    assert.equal(joinKey('data/', 'train.record'), 'data/train.record');
    assert.equal(joinKey('data', '/x'), 'data/x');
    assert.equal(joinKey('', 'x'), 'x');
  });

  it('says what is wrong and how to write it', () => {
    rejects('my-bucket/training/', /does not start with 's3:\/\/'/, /s3:\/\/my-bucket\/training\//);
    rejects('gs://bucket/x', /scheme is 'gs'/);
    rejects('', /empty/);
    rejects('s3:///prefix', /bucket name is missing/);
    rejects('s3://My_Bucket/x', /uppercase/);
    rejects('s3://ab/x', /2 characters/);
    rejects('s3://bucket_1/x', /lowercase letters, digits, dots and hyphens/);
    rejects('s3://192.168.1.1/x', /IP address/);
    rejects('s3://bucket//x', /empty folder name/);
    rejects('arn:aws:s3:::my-bucket/data', /ARN/, /s3:\/\/my-bucket\/data/);
    rejects(
      'https://my-bucket.s3.eu-west-1.amazonaws.com/data/train.record',
      /http\(s\) URL/,
      /s3:\/\/my-bucket\/data\/train.record/,
    );
    rejects(
      'https://s3.console.aws.amazon.com/s3/buckets/my-bucket?region=us-east-1&prefix=data/',
      /http\(s\) URL/,
      /s3:\/\/my-bucket\/data\//,
    );
  });

  it('checks bucket names by S3 rules', () => {
    assert.equal(bucketNameProblem('tfod-data-123'), undefined);
    assert.match(bucketNameProblem('-start') ?? '', /start and end/);
    assert.match(bucketNameProblem('a..b') ?? '', /two dots/);
    assert.match(bucketNameProblem('x'.repeat(64)) ?? '', /64 characters/);
  });

  it('uses path-style addressing only when an endpoint is overridden', () => {
    assert.equal(s3EndpointOverride({}), undefined);
    assert.equal(s3EndpointOverride({ AWS_ENDPOINT_URL: 'http://h:1' }), 'http://h:1');
    assert.equal(
      s3EndpointOverride({ AWS_ENDPOINT_URL: 'http://h:1', AWS_ENDPOINT_URL_S3: 'http://s3:2' }),
      'http://s3:2',
    );
    assert.equal(
      s3EndpointOverride({
        AWS_ENDPOINT_URL: 'http://h:1',
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
      }),
      undefined,
    );
  });
});
