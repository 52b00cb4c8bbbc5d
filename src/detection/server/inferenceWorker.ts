// An inference worker: a child process of the server (forked by workerPool.ts; bundled as
// servingWorker.js beside dist/cli.js and container/dist/serve.js). See workerMain.ts.
import { runInferenceWorker } from './workerMain';

runInferenceWorker();
