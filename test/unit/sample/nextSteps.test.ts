import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  checkpointDownloadCommand,
  sampleFolderProblem,
  sampleSummary,
  SAMPLE_CHECKPOINT_URL,
  writeSampleProject,
} from '../../../src/core/sample';
import { UserError } from '../../../src/core/errors';

// The palette's "Create Sample Project" (tfod.sample.create), twin of `tfod sample`: where the
// project may go, what it says it wrote, and the checkpoint download it hands over.
describe('Create Sample Project', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tfod-sample-next-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('takes a new or empty folder and refuses a file or a folder with files', () => {
    assert.equal(sampleFolderProblem(join(dir, 'new')), undefined);
    mkdirSync(join(dir, 'empty'));
    assert.equal(sampleFolderProblem(join(dir, 'empty')), undefined);
    mkdirSync(join(dir, 'full'));
    writeFileSync(join(dir, 'full', 'notes.txt'), 'mine');
    assert.match(sampleFolderProblem(join(dir, 'full')) ?? '', /already holds files/);
    assert.match(sampleFolderProblem(join(dir, 'full', 'notes.txt')) ?? '', /is a file/);
    assert.match(sampleFolderProblem('  ') ?? '', /Give a folder/);
  });

  it('writes the project where the folder check said yes, and the same refusal as the CLI otherwise', async () => {
    const target = join(dir, 'sample');
    assert.equal(sampleFolderProblem(target), undefined);
    const project = await writeSampleProject(target, {});
    assert.ok(existsSync(join(target, 'pipeline.config')));
    assert.ok(existsSync(join(target, 'label_map.pbtxt')));
    assert.match(sampleSummary(project), /^\d+ images with \d+ boxes in \d+ files$/);
    assert.match(sampleFolderProblem(target) ?? '', /already holds files/);
    await assert.rejects(writeSampleProject(target, {}), UserError);
  });

  it('hands over a download command a shell runs as written', async () => {
    const target = join(dir, "it's here");
    const project = await writeSampleProject(target, { trainImages: 2, validationImages: 1 });
    const command = checkpointDownloadCommand(project);
    assert.ok(command.includes(SAMPLE_CHECKPOINT_URL));
    assert.match(command, /tar -xz --strip-components=1 -C /);
    // The folder is quoted for the shell: check what bash parses, with curl and tar replaced by
    // echo (no download here).
    const parsed = execFileSync(
      'bash',
      ['-c', `curl() { :; }; tar() { printf '%s\\n' "$@"; }; ${command} </dev/null`],
      { encoding: 'utf8' },
    );
    assert.equal(parsed.trim().split('\n').pop(), join(target, project.checkpoint.folder));
    assert.ok(existsSync(join(target, project.checkpoint.folder)), 'mkdir -p made the folder');
  });
});
