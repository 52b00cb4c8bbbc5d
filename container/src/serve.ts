/**
 * `serve`: the SageMaker hosting entrypoint. SageMaker runs the image with the argument `serve`
 * and the model unpacked in /opt/ml/model; this answers GET /ping and POST /invocations on
 * SAGEMAKER_BIND_TO_PORT (default 8080) with MODEL_SERVER_WORKERS inference worker processes
 * (default one per GPU on a GPU host, else one per CPU; servingWorker.js beside this file) and a
 * MODEL_SERVER_TIMEOUT (default 60 s) per request, until SIGTERM, which answers every request
 * received within 20 s and exits. The serving code itself lives in src/detection/server, shared
 * with `tfod serve`.
 *
 *   serve [--model <dir>] [--port <n>] [--workers <n>] [--timeout <seconds>] [--host <addr>]
 */
import { parseArgs } from 'node:util';
import { runServer, servingSettings } from '../../src/detection/server';

// Several workers share one GPU: without this each TensorFlow process claims all GPU memory.
process.env.TF_FORCE_GPU_ALLOW_GROWTH ??= 'true';

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} serve[${process.pid}] ${line}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      model: { type: 'string' },
      port: { type: 'string' },
      workers: { type: 'string' },
      timeout: { type: 'string' },
      host: { type: 'string' },
    },
    // SageMaker passes the word `serve` itself as an argument.
    allowPositionals: true,
  });
  const settings = servingSettings(process.env, {
    ...(values.model ? { modelDir: values.model } : {}),
    ...(values.port ? { port: values.port } : {}),
    ...(values.workers ? { workers: values.workers } : {}),
    ...(values.timeout ? { timeout: values.timeout } : {}),
    ...(values.host ? { host: values.host } : {}),
  });
  await runServer({ settings, log, onReady: (url) => log(`ready: POST ${url}/invocations`) });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
