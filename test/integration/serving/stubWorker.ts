// A stand-in inference worker for the serving tests: it speaks workerProtocol.ts as
// inferenceWorker.ts does (and ignores SIGINT/SIGTERM as it does), but loads no model and detects
// nothing, so a test decides what each image costs. Configured by `stub.json` in the "model
// folder" ({ "readyWhen"?: path that must exist before it says it is ready, "fail"?: a load error })
// and per image by a PNG tEXt chunk with the keyword "stub" (see stubImage in stub.ts):
//   block=MS  busy-wait MS milliseconds on the worker's only thread, as decoding and inference do
//   exit=N    exit with code N while on the image, as a crash would
// (several, in order, separated by ';': "block=300;exit=3")
// and otherwise answer one cat at once. The time its steps took is reported as detection time.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  FromWorker,
  ToWorker,
  WorkerConfig,
} from '../../../src/detection/server/workerProtocol';

interface StubModel {
  readonly readyWhen?: string;
  readonly fail?: string;
}

process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.on('disconnect', () => process.exit(0));

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
const model = JSON.parse(readFileSync(join(config.modelDir, 'stub.json'), 'utf8')) as StubModel;
const send = (message: FromWorker) => process.send!(message);

function instruction(image: Uint8Array): string {
  const bytes = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  const at = bytes.indexOf('tEXtstub\0');
  if (at < 0) return '';
  const length = bytes.readUInt32BE(at - 4);
  return bytes.toString('latin1', at + 9, at + 4 + length);
}

process.on('message', (message: ToWorker) => {
  if (message.type === 'stop') return process.disconnect();
  const started = performance.now();
  // Steps in order, separated by ';' ("block=300;exit=3").
  for (const step of instruction(message.image).split(';')) {
    const [what, value] = step.split('=');
    if (what === 'exit') process.exit(Number(value));
    if (what === 'block') {
      const end = Date.now() + Number(value);
      while (Date.now() < end);
    }
  }
  send({
    type: 'result',
    id: message.id,
    prediction: [[17, 0.9, 0.1, 0.1, 0.9, 0.9]],
    // Its busy-waiting stands for inference; it decodes nothing.
    timing: { decodeMs: 0, detectMs: performance.now() - started },
  });
});

const start = () => {
  if (model.fail) {
    send({ type: 'failed', error: model.fail });
    process.disconnect();
    return;
  }
  send({
    type: 'ready',
    model: {
      dir: config.modelDir,
      format: 'stub',
      layout: 'stub',
      backend: 'none',
      runtimeVersion: 'stub',
      runtimeNotes: [],
    },
  });
};
const wait = () =>
  !model.readyWhen || existsSync(model.readyWhen) ? start() : setTimeout(wait, 20);
wait();
