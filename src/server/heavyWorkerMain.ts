// The worker thread that does the work of heavy documents (bundled as dist/serverWorker.js, started
// by heavyWorker.ts). It holds its own ValidationService over the texts the server mirrors to it;
// its state is only a cache, so the server may terminate it at any time (that is how a cancelled
// job stops) and start a fresh one. Messages are handled one at a time, in the order sent.

import { parentPort, workerData } from 'node:worker_threads';
import {
  doWork,
  type DocumentText,
  type FromWorker,
  type ToWorker,
  type WorkerSettings,
} from './heavyWork';
import { uriToPath } from './uris';
import { ValidationService } from './validationService';

const port = parentPort;
if (!port) throw new Error('serverWorker.js runs as a worker thread of the language server');

const initial = workerData as WorkerSettings;
const documents = new Map<string, DocumentText>();
const textByPath = new Map<string, string>();
const service = new ValidationService(initial.roots, (path) => textByPath.get(path));
let settings: WorkerSettings = { roots: initial.roots, protoFolder: undefined };

function post(message: FromWorker): void {
  port!.postMessage(message);
}

async function applySettings(next: WorkerSettings): Promise<void> {
  const previous = settings;
  settings = next;
  if (next.roots.join('\0') !== previous.roots.join('\0')) service.setRoots(next.roots);
  if (next.protoFolder !== previous.protoFolder) {
    // The server reports the folder's problems; here what could be read is used, as there.
    await service.useProtoFolder(next.protoFolder).catch(() => undefined);
  }
  if (next.architecture !== previous.architecture) service.setArchitecture(next.architecture);
}

function updateDocuments(changed: readonly DocumentText[], closed: readonly string[]): void {
  for (const uri of closed) {
    documents.delete(uri);
    service.forget(uri);
    const path = uriToPath(uri);
    if (path) textByPath.delete(path);
  }
  for (const document of changed) {
    documents.set(document.uri, document);
    const path = uriToPath(document.uri);
    if (path) textByPath.set(path, document.text);
  }
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'settings':
      await applySettings(message.settings);
      return;
    case 'filesChanged':
      service.filesChanged(message.paths);
      return;
    case 'forget':
      service.forget(message.uri);
      return;
    case 'documents':
      updateDocuments(message.changed, message.closed);
      return;
    case 'job': {
      const { id, uri, version, work } = message;
      try {
        const text = documents.get(uri);
        if (text?.version !== version)
          throw new Error(`the worker has no version ${version} of ${uri} (${text?.version})`);
        const result = doWork(service, { uri, version, getText: () => text.text }, work);
        post({ type: 'done', id, ...result });
      } catch (error) {
        const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
        post({ type: 'failed', id, message: detail });
      }
      return;
    }
  }
}

let queue = applySettings(initial);
port.on('message', (message: ToWorker) => {
  // Each message is handled whatever happened to the one before; a job always gets its answer.
  queue = queue
    .then(() => handle(message))
    .catch((error: unknown) => console.error('tfod language server worker:', error));
});
post({ type: 'ready' });
