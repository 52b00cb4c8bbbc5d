import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors';
import {
  imageTagProblem,
  imageUri,
  RegistryCredentials,
  repositoryNameProblem,
} from '../../../src/core/image/ecr';
import { splitImageName } from '../../../src/core/image/build';

describe('ECR names', () => {
  it('builds the image URI', () => {
    assert.equal(
      imageUri('123456789012', 'eu-west-1', 'tfod/training', '2.9.1-gpu'),
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/tfod/training:2.9.1-gpu',
    );
    assert.equal(
      imageUri('123456789012', 'cn-north-1', 'tfod', 'v1'),
      '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/tfod:v1',
    );
    assert.throws(() => imageUri('1234', 'us-east-1', 'tfod', 'v1'), /12 digits/);
    assert.throws(() => imageUri('123456789012', 'US', 'tfod', 'v1'), /not an AWS region/);
    assert.throws(() => imageUri('123456789012', 'us-east-1', 'Tfod', 'v1'), UserError);
    assert.throws(() => imageUri('123456789012', 'us-east-1', 'tfod', '-v1'), UserError);
  });

  it('validates repository names and tags by ECR rules', () => {
    for (const good of ['tfod', 'team/tfod-training', 'a.b_c-d/e'])
      assert.equal(repositoryNameProblem(good), undefined, good);
    assert.match(repositoryNameProblem('Tfod') ?? '', /uppercase/);
    assert.match(repositoryNameProblem('tfod//x') ?? '', /not a repository name/);
    assert.match(repositoryNameProblem('tfod-') ?? '', /not a repository name/);
    assert.match(repositoryNameProblem('t') ?? '', /2 to 256/);
    assert.equal(imageTagProblem('2.9.1-gpu'), undefined);
    assert.match(imageTagProblem('.x') ?? '', /not an image tag/);
    assert.match(imageTagProblem('a'.repeat(129)) ?? '', /not an image tag/);
  });

  it('splits image names without mistaking a registry port for a tag', () => {
    assert.deepEqual(splitImageName('127.0.0.1:5000/tfod/x:7'), {
      repo: '127.0.0.1:5000/tfod/x',
      tag: '7',
    });
    assert.deepEqual(splitImageName('127.0.0.1:5000/tfod/x'), {
      repo: '127.0.0.1:5000/tfod/x',
      tag: 'latest',
    });
    assert.deepEqual(splitImageName('tfod:2.9.1-gpu'), { repo: 'tfod', tag: '2.9.1-gpu' });
  });
});

describe('registry credentials stay out of every printout', () => {
  const secret = 'eyJwYXlsb2FkIjoiU0VDUkVULVRPS0VOLTEyMyJ9';
  const credentials = new RegistryCredentials(
    'AWS',
    secret,
    '123456789012.dkr.ecr.us-east-1.amazonaws.com',
  );

  it('gives the password only when asked by name', () => {
    assert.equal(credentials.password, secret);
    assert.equal(credentials.toDockerAuth().password, secret);
  });

  it('JSON, inspect, String() and spreading never show it', () => {
    for (const text of [
      JSON.stringify(credentials),
      JSON.stringify({ nested: { credentials } }),
      inspect(credentials),
      inspect({ credentials }, { depth: 5, showHidden: true }),
      String(credentials),
      `${credentials}`,
      JSON.stringify({ ...credentials }),
      Object.keys(credentials).join(','),
    ])
      assert.ok(!text.includes(secret), text);
    assert.match(JSON.stringify(credentials), /<redacted>/);
  });
});
