// A worker thread of a conversion's ImageFileReader (imageFiles.ts; bundled as
// dist/datasetWorker.js): reads, hashes and checksums one image file at a time.
import { parentPort } from 'node:worker_threads';
import { answerRequest, WORKER_READY, type WorkerRequest } from './imageFiles';

if (!parentPort) throw new Error('datasetWorker.js runs as a worker thread of a conversion');
const port = parentPort;
port.on('message', (request: WorkerRequest) => {
  const { answer, transfer } = answerRequest(request);
  port.postMessage(answer, transfer);
});
port.postMessage(WORKER_READY);
