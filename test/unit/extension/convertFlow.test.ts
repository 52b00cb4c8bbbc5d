import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { convertFlow } from '../../../src/extension/commands/data/convertFlow';
import { runFlow } from '../../../src/extension/flows/flow';
import { BACK_BUTTON, ENTER, ScriptedUi, type Action } from './scriptedUi';

describe('the Convert Annotations flow', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'tfod-convert-flow-'));
  mkdirSync(join(workspace, 'coco'));
  writeFileSync(join(workspace, 'coco', 'instances.json'), '{}');
  mkdirSync(join(workspace, 'voc'));
  writeFileSync(join(workspace, 'voc', 'a.xml'), '<annotation/>');
  after(() => rmSync(workspace, { recursive: true, force: true }));

  async function convert(script: readonly Action[], given?: string) {
    const ui = new ScriptedUi(script);
    const answers = await runFlow(ui, convertFlow(workspace, given !== undefined), {
      input: given ?? '',
      format: undefined,
      out: '',
    });
    assert.ok(ui.done, 'the whole script was played');
    return { ui, answers };
  }

  it('from the Explorer: confirms the detected format, then the records folder beside it', async () => {
    const { ui, answers } = await convert(
      [ENTER, ENTER],
      join(workspace, 'coco', 'instances.json'),
    );
    assert.deepEqual(
      ui.shown.map((s) => [s.title, s.value]),
      [
        ['Convert Annotations to TFRecords (1/2)', 'COCO JSON (instances)'],
        ['Convert Annotations to TFRecords (2/2)', join(workspace, 'coco', 'records')],
      ],
    );
    assert.equal(answers.format, 'coco');
  });

  it('from the palette: the input typed or browsed, and the output follows another input', async () => {
    const { ui, answers } = await convert([
      { type: 'nowhere' },
      { type: 'coco/instances.json' },
      ENTER,
      BACK_BUTTON, // at the output: back to the format
      BACK_BUTTON, // back to the input
      { browse: join(workspace, 'voc') },
      ENTER,
      ENTER, // Pascal VOC, detected
      ENTER,
    ]);
    assert.deepEqual(ui.shown[0]!.messages, [`${join(workspace, 'nowhere')} does not exist`]);
    const browse = ui.shown[0]!.browse;
    assert.deepEqual([browse?.folders, browse?.files], [true, true], 'a folder or a file');
    assert.deepEqual(
      ui.shown.map((s) => [s.title.replace('Convert Annotations to TFRecords ', ''), s.value]),
      [
        ['(1/3)', ''],
        ['(2/3)', 'COCO JSON (instances)'],
        ['(3/3)', join(workspace, 'coco', 'records')],
        ['(2/3)', 'COCO JSON (instances)'],
        ['(1/3)', 'coco/instances.json'],
        ['(2/3)', 'Pascal VOC XML (LabelImg, CVAT)'],
        ['(3/3)', join(workspace, 'voc', 'records')],
      ],
    );
    assert.deepEqual(answers, {
      input: join(workspace, 'voc'),
      format: 'voc',
      out: join(workspace, 'voc', 'records'),
    });
  });
});
