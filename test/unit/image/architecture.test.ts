import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  ARCHITECTURES,
  architectureProblem,
  baseImageFor,
  DEFAULT_ARCHITECTURE,
  imageBuildArgs,
  parseArchitecture,
  parseBuildArgs,
} from '../../../src/core/image/architecture';
import { UserError } from '../../../src/core/errors';

describe('ARCHITECTURE tags', () => {
  it('lists the Dockerfile’s tags, GPU first, default first', () => {
    assert.deepEqual(
      ARCHITECTURES.map((a) => a.tag),
      ['2.9.1-gpu', '1.15.0-gpu', '2.9.1', '1.15.0'],
    );
    const firstCpu = ARCHITECTURES.findIndex((a) => !a.gpu);
    assert.ok(ARCHITECTURES.slice(0, firstCpu).every((a) => a.gpu));
    assert.ok(ARCHITECTURES.slice(firstCpu).every((a) => !a.gpu));
    assert.equal(ARCHITECTURES[0]?.tag, DEFAULT_ARCHITECTURE);
  });

  it('agrees with container/Dockerfile (its default and the tags it documents)', () => {
    const dockerfile = readFileSync(
      join(__dirname, '..', '..', '..', 'container', 'Dockerfile'),
      'utf8',
    );
    assert.match(dockerfile, new RegExp(`ARG ARCHITECTURE=${DEFAULT_ARCHITECTURE}\\n`));
    for (const { tag } of ARCHITECTURES) assert.ok(dockerfile.includes(tag), tag);
  });

  it('accepts the tags and their py3 variants, refuses others with the list', () => {
    for (const tag of ['2.9.1-gpu', '2.9.1', '1.15.0-gpu', '1.15.0', '1.15.0-gpu-py3', ' 2.9.1 '])
      assert.equal(architectureProblem(tag), undefined, tag);
    assert.match(architectureProblem('') ?? '', /choose/);
    assert.match(
      architectureProblem('latest-gpu') ?? '',
      /not an ARCHITECTURE.*2\.9\.1-gpu, 1\.15\.0-gpu, 2\.9\.1, 1\.15\.0.*GPU:/,
    );
    assert.match(architectureProblem('2.10.0') ?? '', /not an ARCHITECTURE/);
    assert.deepEqual(
      { ...parseArchitecture('1.15.0-gpu-py3') },
      { ...parseArchitecture('1.15.0-gpu'), tag: '1.15.0-gpu-py3' },
    );
    assert.equal(parseArchitecture('2.9.1').gpu, false);
    assert.throws(() => parseArchitecture('2.8.0-gpu'), UserError);
  });

  it('builds the plain TF1 tags on their Python 3 images (the plain ones are Python 2.7)', () => {
    assert.equal(baseImageFor('1.15.0'), 'tensorflow/tensorflow:1.15.0-py3');
    assert.equal(baseImageFor('1.15.0-gpu'), 'tensorflow/tensorflow:1.15.0-gpu-py3');
    assert.equal(baseImageFor('1.15.0-gpu-py3'), 'tensorflow/tensorflow:1.15.0-gpu-py3');
    assert.equal(baseImageFor('2.9.1-gpu'), 'tensorflow/tensorflow:2.9.1-gpu');
    assert.deepEqual(imageBuildArgs('1.15.0'), {
      ARCHITECTURE: '1.15.0',
      BASE_IMAGE: 'tensorflow/tensorflow:1.15.0-py3',
    });
    assert.deepEqual(
      imageBuildArgs('2.9.1', { BASE_IMAGE: 'mirror/tf:2.9.1', NODE_SOURCE: 'npm' }),
      {
        ARCHITECTURE: '2.9.1',
        BASE_IMAGE: 'mirror/tf:2.9.1',
        NODE_SOURCE: 'npm',
      },
    );
  });

  it('reads --build-arg KEY=VALUE pairs, refusing anything else by name', () => {
    assert.deepEqual(parseBuildArgs(['NODE_SOURCE=npm', 'EMPTY=', 'URL=http://a/b?c=d']), {
      NODE_SOURCE: 'npm',
      EMPTY: '',
      URL: 'http://a/b?c=d',
    });
    for (const bad of ['NODE_SOURCE', '=npm', '1X=2', 'A B=c'])
      assert.throws(
        () => parseBuildArgs([bad]),
        (e: unknown) => e instanceof UserError && e.message.includes('is not a build argument'),
        bad,
      );
  });
});
