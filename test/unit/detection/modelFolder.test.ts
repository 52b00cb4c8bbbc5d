import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadDetector, ModelFolderError } from '../../../src/detection';
import { missingOpError } from '../../../src/detection/graphModelRunner';
import {
  inspectModelFolder,
  readConversionReport,
  TFJS_CONVERSION_REPORT,
} from '../../../src/detection/modelFolder';

// A trained model that TensorFlow.js cannot run must say which op, wherever it is opened.
describe('the TF.js conversion report and missing ops', () => {
  const work = mkdtempSync(join(tmpdir(), 'tfod-model-folder-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  function savedModelOnly(name: string, report?: string): string {
    const dir = join(work, name);
    mkdirSync(join(dir, 'saved_model'), { recursive: true });
    writeFileSync(join(dir, 'saved_model', 'saved_model.pb'), 'not read by these tests');
    if (report !== undefined) writeFileSync(join(dir, TFJS_CONVERSION_REPORT), report);
    return dir;
  }

  it('reads the report the training image writes, and ignores one that is not its shape', () => {
    const good = savedModelOnly(
      'good',
      JSON.stringify({
        converted: false,
        converter: 'tensorflowjs 3.21.0',
        unsupportedOps: ['Lgamma', 7, 'BesselI0e'],
        error: 'TensorFlow.js has no kernel for Lgamma (1 node), BesselI0e (2 nodes)',
      }),
    );
    assert.deepEqual(readConversionReport(good), {
      converted: false,
      converter: 'tensorflowjs 3.21.0',
      unsupportedOps: ['Lgamma', 'BesselI0e'],
      error: 'TensorFlow.js has no kernel for Lgamma (1 node), BesselI0e (2 nodes)',
    });
    assert.equal(readConversionReport(savedModelOnly('not-json', '{converted')), undefined);
    assert.equal(readConversionReport(savedModelOnly('no-flag', '{"ops": 3}')), undefined);
    assert.equal(readConversionReport(savedModelOnly('absent')), undefined);
    // An oversized report is not read whole: it is ignored.
    const big = `{"converted": false, "error": "${'x'.repeat(70_000)}"}`;
    assert.equal(readConversionReport(savedModelOnly('big', big)), undefined);
  });

  it('the folder carries the report, and loading it names the ops and where it runs', async () => {
    const dir = savedModelOnly(
      'lgamma',
      JSON.stringify({ converted: false, unsupportedOps: ['Lgamma'], error: 'x' }),
    );
    assert.deepEqual((await inspectModelFolder(dir)).conversion?.unsupportedOps, ['Lgamma']);
    await assert.rejects(
      loadDetector(dir, { backend: 'wasm' }),
      (error: unknown) =>
        error instanceof ModelFolderError &&
        /could not convert to TensorFlow\.js \(TensorFlow\.js has no kernel for the op Lgamma, which this model uses\)/.test(
          error.message,
        ) &&
        /serving image/.test(error.fix ?? '') &&
        /avoids Lgamma/.test(error.fix ?? ''),
    );
  });

  it('a converter failure without ops quotes the error; no report keeps the general advice', async () => {
    const failed = savedModelOnly(
      'failed',
      JSON.stringify({ converted: false, unsupportedOps: [], error: 'ValueError: bad signature' }),
    );
    await assert.rejects(
      loadDetector(failed, { backend: 'wasm' }),
      /the converter failed: ValueError: bad signature/,
    );
    await assert.rejects(
      loadDetector(savedModelOnly('plain'), { backend: 'wasm' }),
      /holds a SavedModel, which only the tensorflow backend/,
    );
  });

  it("turns TensorFlow.js's run-time op errors into one naming the op", () => {
    const unknown = missingOpError(
      new TypeError(
        "Unknown op 'Lgamma'. File an issue at https://github.com/tensorflow/tfjs/issues so we can add it, or register a custom execution with tf.registerOp()",
      ),
      '/m/model.json',
      'wasm',
    );
    assert.match(
      unknown?.message ?? '',
      /\/m\/model\.json uses the op Lgamma, which TensorFlow\.js cannot run/,
    );
    const notImplemented = missingOpError(
      new Error('Node type Bucketize is not implemented'),
      'm',
      'wasm',
    );
    assert.match(notImplemented?.message ?? '', /uses the op Bucketize/);
    const kernel = missingOpError(
      new Error(
        "'Lgamma' not yet implemented or not found in the registry. This kernel may not be supported by the tfjs backend you have chosen",
      ),
      'm',
      'wasm',
    );
    assert.match(
      kernel?.message ?? '',
      /needs the kernel Lgamma, which the wasm backend does not have/,
    );
    assert.equal(missingOpError(new Error('out of memory'), 'm', 'wasm'), undefined);
  });
});
