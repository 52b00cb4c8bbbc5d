import { Command, CommanderError } from 'commander';
import { CancelledError, errorMessage, isUserError } from '../core/errors';
import { TFOD_VERSION } from '../core/version';
import { register as registerBatch } from './commands/batch';
import { register as registerBuild } from './commands/build';
import { register as registerData } from './commands/data';
import { register as registerDeploy } from './commands/deploy';
import { register as registerEvaluate } from './commands/evaluate';
import { register as registerEndpoints } from './commands/endpoints';
import { register as registerFormat } from './commands/format';
import { register as registerInit } from './commands/init';
import { register as registerJobs } from './commands/jobs';
import { register as registerLogs } from './commands/logs';
import { register as registerPredict } from './commands/predict';
import { register as registerPush } from './commands/push';
import { register as registerSample } from './commands/sample';
import { register as registerServe } from './commands/serve';
import { register as registerStop } from './commands/stop';
import { register as registerTensorBoard } from './commands/tensorboard';
import { register as registerTrain } from './commands/train';
import { register as registerUpload } from './commands/upload';
import { register as registerValidate } from './commands/validate';

export interface CliIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * The `tfod` command line: the same operations as the palette, over the same vscode-free core.
 * Each subcommand registers itself here; the program owns parsing, help and error printing.
 */
export function createProgram(io: CliIO): Command {
  const program = new Command('tfod')
    .description(
      'TensorFlow Object Detection from a project folder to a trained model serving detections, ' +
        'locally in Docker (target "local", the default) or on Amazon SageMaker (target "sagemaker").',
    )
    .version(TFOD_VERSION, '-v, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help for a command')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      outputError: (text, write) => write(text.endsWith('\n') ? text : `${text}\n`),
    });
  // The palette's twins, in the order of the workflow.
  registerInit(program);
  registerSample(program);
  registerData(program);
  registerValidate(program);
  registerFormat(program);
  registerBuild(program);
  registerPush(program);
  registerUpload(program);
  registerTrain(program);
  registerJobs(program);
  registerStop(program);
  registerLogs(program);
  registerTensorBoard(program);
  registerDeploy(program);
  registerEndpoints(program);
  registerPredict(program);
  registerBatch(program);
  registerEvaluate(program);
  registerServe(program);
  program.addHelpText(
    'after',
    '\nDocumentation: README.md in the extension, or https://github.com/tfod-sagemaker/tfod-sagemaker',
  );
  return program;
}

/** Runs the CLI and returns its exit code; never throws, never prints a stack trace for user errors. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const program = createProgram(io);
  if (argv.length === 0) {
    io.stdout(program.helpInformation());
    return 0;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its one-line message (or the help / version text).
      return error.exitCode;
    }
    if (isUserError(error)) {
      io.stderr(`tfod: error: ${errorMessage(error)}\n`);
      return 1;
    }
    // Ctrl+C: what was under way was stopped; 130 is the shell's code for an interrupt.
    if (error instanceof CancelledError) {
      io.stderr('tfod: cancelled\n');
      return 130;
    }
    io.stderr(`tfod: internal error: ${errorMessage(error)} (please report this)\n`);
    if (process.env.TFOD_DEBUG && error instanceof Error && error.stack)
      io.stderr(`${error.stack}\n`);
    return 70;
  }
}
