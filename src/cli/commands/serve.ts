import type { Command } from 'commander';
import { UserError } from '../../core/errors';
import type { BackendChoice } from '../../detection';
import { runServer, servingSettings, type ServingSettings } from '../../detection/server';
import { asUserError, backendOption } from './predict';

interface ServeOptions {
  readonly model: string;
  readonly port: string;
  readonly host: string;
  readonly workers: string;
  readonly timeout: string;
  readonly backend?: BackendChoice;
  readonly quiet?: boolean;
}

/**
 * `tfod serve --model <dir>`: the SageMaker container's serving code in this process, on the wasm
 * backend, so a model can be tried over HTTP without Docker.
 */
export function register(program: Command): void {
  program
    .command('serve')
    .description(
      "Serve a model folder over HTTP on this machine with the serving container's code (GET /ping, POST /invocations) until Ctrl+C",
    )
    .requiredOption(
      '-m, --model <dir>',
      'model folder as the endpoint gets it: model.json (TensorFlow.js) or saved_model.pb',
    )
    .option('-p, --port <n>', 'port to listen on (0 picks a free one)', '8080')
    .option('--host <address>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('-w, --workers <n>', 'worker processes, each with its own copy of the model', '1')
    .option('--timeout <seconds>', 'longest a request may take before a 504', '60')
    .option('-q, --quiet', 'do not log each request')
    .addOption(backendOption(program))
    .action(async (options: ServeOptions, command: Command) => {
      const output = command.configureOutput();
      const writeOut = (text: string) => output.writeOut?.(text);
      const writeErr = (text: string) => output.writeErr?.(text);
      let settings: ServingSettings;
      try {
        settings = servingSettings(
          {},
          {
            modelDir: options.model,
            port: options.port,
            host: options.host,
            workers: options.workers,
            timeout: options.timeout,
          },
        );
      } catch (error) {
        throw new UserError(
          error instanceof Error ? error.message.replace(/=/, ' ') : String(error),
        );
      }
      try {
        await runServer({
          settings,
          ...(options.backend ? { backend: options.backend } : {}),
          log: options.quiet ? () => undefined : (line) => writeErr(`${line}\n`),
          onReady: (url) =>
            writeOut(
              `Serving ${settings.modelDir} at ${url}: POST ${url}/invocations (JSON {"image": "<base64>"} or a JPEG/PNG body), GET ${url}/ping. Ctrl+C stops.\n`,
            ),
        });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE')
          throw new UserError(
            `port ${settings.port} is already in use`,
            'Pass another one with --port',
          );
        if (code === 'EACCES')
          throw new UserError(
            `not allowed to listen on port ${settings.port}`,
            'Use a port above 1023',
          );
        throw asUserError(error, `cannot serve ${settings.modelDir}`);
      }
    });
}
