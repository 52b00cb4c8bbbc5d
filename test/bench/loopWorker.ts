// bench:serve's inference worker: the serving worker itself (runInferenceWorker), which also runs
// the bare engine's loop over the photos, in turn with the images it serves, when asked through
// the Unix socket BENCH_LOOP_SOCKET (write a count, read back each image's milliseconds as JSON).
// So the server's overhead can be weighed against the same process and model without the server.
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { runInferenceWorker } from '../../src/detection/server/workerMain';
import { fixtures } from '../integration/serving/fixtures';
import { bareRun, PHOTOS } from './serveLoop';

const socket = process.env.BENCH_LOOP_SOCKET;
if (!socket) throw new Error('loopWorker.ts needs BENCH_LOOP_SOCKET');
const images = PHOTOS.map((name) => fixtures().photo(name));

runInferenceWorker((detector, inTurn) => {
  // A socket file left by a worker before this one would make listen fail.
  rmSync(socket, { force: true });
  createServer((connection) =>
    connection.once('data', (data) => {
      const count = Number(data.toString());
      inTurn(async () => {
        connection.end(JSON.stringify(await bareRun(detector, images, count)));
      });
    }),
  ).listen(socket);
});
