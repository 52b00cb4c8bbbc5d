import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors';
import { looksLikePath, resolveModelArgument } from '../../../src/core/modelArgument';

// How a model argument is told apart: paths stay paths, s3:// is fetched, a bare name is a job
// unless a folder of that name is right here. (Jobs on real targets: test/integration/cli.)
describe('resolveModelArgument', () => {
  const work = mkdtempSync(join(tmpdir(), 'tfod-model-arg-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  const noTarget = () => {
    throw new Error('no target should be opened for a path');
  };
  const noDownload = async () => {
    throw new Error('nothing should be downloaded for a path');
  };

  it('tells paths from names', () => {
    for (const path of [
      './m',
      '../m',
      '/abs/m',
      'models/m',
      'C:\\m',
      'm.tar.gz',
      'model.json',
      '.',
    ])
      assert.equal(looksLikePath(path), true, path);
    for (const name of ['my-job', 'tfod-2024-01-31-12-00-00', 'job.v2'])
      assert.equal(looksLikePath(name), false, name);
  });

  it('keeps folders, archives and file:// URIs as the user gave them, opening no target', async () => {
    const folder = join(work, 'trained');
    mkdirSync(folder);
    const options = { target: noTarget, download: noDownload };
    assert.equal((await resolveModelArgument(folder, options)).path, folder);
    assert.equal((await resolveModelArgument(pathToFileURL(folder).href, options)).path, folder);
    // A bare name that is a folder here is that folder, not a job.
    const cwd = process.cwd();
    process.chdir(work);
    try {
      assert.equal((await resolveModelArgument('trained', options)).path, folder);
    } finally {
      process.chdir(cwd);
    }
    await assert.rejects(
      resolveModelArgument('  ', options),
      (e: unknown) => e instanceof UserError && /no model was given/.test(e.message),
    );
  });

  it('downloads an s3:// URI into a temporary folder that cleanup removes, also after a failure', async () => {
    let folderSeen = '';
    const model = await resolveModelArgument('s3://bucket/job/output/model.tar.gz', {
      target: noTarget,
      download: async (uri, folder) => {
        folderSeen = folder;
        assert.equal(uri, 's3://bucket/job/output/model.tar.gz');
        return join(folder, 'model.tar.gz');
      },
    });
    assert.equal(model.path, join(folderSeen, 'model.tar.gz'));
    assert.ok(existsSync(folderSeen));
    await model.cleanup();
    assert.ok(!existsSync(folderSeen), 'cleanup removes the download');
    await assert.rejects(
      resolveModelArgument('s3://bucket/missing.tar.gz', {
        target: noTarget,
        download: async (_uri, folder) => {
          folderSeen = folder;
          throw new UserError('s3://bucket/missing.tar.gz does not exist');
        },
      }),
      /does not exist/,
    );
    assert.ok(!existsSync(folderSeen), 'a failed download leaves nothing');
  });
});
