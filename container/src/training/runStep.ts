import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { formatMetricLine, ObjectDetectionLogReader } from '../../../src/core/training/metrics';
import type { Command } from './commands';
import { TrainingFailure } from './failure';

const TAIL_LINES = 40;

export interface StepRunner {
  run(command: Command): Promise<void>;
  /** Asks the running step to stop (SIGTERM), then kills it after `graceMs`. */
  stop(graceMs: number): Promise<void>;
  /** True once stop() was called. */
  readonly stopping: boolean;
}

/**
 * Runs the Object Detection API's scripts one at a time, streaming their output to the log,
 * re-emitting the metrics it contains as stable `#metric` lines, and turning a failed exit into
 * a TrainingFailure that quotes the error the script printed.
 */
export function createStepRunner(log: (line: string) => void): StepRunner {
  const reader = new ObjectDetectionLogReader();
  let current: ChildProcess | undefined;
  let stopping = false;

  return {
    get stopping() {
      return stopping;
    },

    run(command) {
      if (stopping) return Promise.reject(new TrainingFailure('Training was stopped'));
      return new Promise((resolve, reject) => {
        log(`[tfod] ${command.step}: ${command.argv.join(' ')}`);
        const [program, ...args] = command.argv;
        const child = spawn(program ?? '', args, {
          stdio: ['ignore', 'pipe', 'pipe'],
          ...(command.env ? { env: { ...process.env, ...command.env } } : {}),
        });
        current = child;
        const tail: string[] = [];
        const onLine = (line: string) => {
          log(line);
          tail.push(line);
          if (tail.length > TAIL_LINES) tail.shift();
          const sample = reader.read(line);
          if (sample) log(formatMetricLine(sample));
        };
        createInterface({ input: child.stdout! }).on('line', onLine);
        createInterface({ input: child.stderr! }).on('line', onLine);
        child.once('error', (error: NodeJS.ErrnoException) => {
          current = undefined;
          reject(
            new TrainingFailure(
              `The ${command.step} step could not start: ${program} ${error.code === 'ENOENT' ? 'was not found' : error.message}`,
              [
                'The image is missing part of the Object Detection API; rebuild it from container/Dockerfile.',
              ],
            ),
          );
        });
        child.once('close', (code, signal) => {
          current = undefined;
          if (code === 0) return resolve();
          if (stopping) return reject(new TrainingFailure('Training was stopped'));
          reject(
            new TrainingFailure(
              `The ${command.step} step failed (${signal ? `signal ${signal}` : `exit code ${code}`}): ${lastError(tail)}`,
              ['Last output:', ...tail.slice(-8)],
            ),
          );
        });
      });
    },

    stop(graceMs) {
      stopping = true;
      const child = current;
      if (!child || child.exitCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        child.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
  };
}

/** A Python traceback ends with "SomeError: message"; that line is what the user needs. */
function lastError(tail: readonly string[]): string {
  for (let i = tail.length - 1; i >= 0; i--) {
    const line = tail[i]?.trim() ?? '';
    if (/^[\w.]*(Error|Exception|Failure)\b.*:/.test(line) || /\b(ERROR|FATAL)\b/.test(line))
      return line;
  }
  return tail[tail.length - 1]?.trim() || 'no output';
}
