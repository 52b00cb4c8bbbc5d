/**
 * The `tfod` task type (package.json `taskDefinitions`): a task runs the CLI that ships with the
 * extension, and `tfod validate`'s `path:line:col: severity: message` lines feed the `$tfod`
 * problem matcher. No 'vscode' here: the extension turns this into a ProcessExecution.
 */

export const TASK_TYPE = 'tfod';

/** The commands a task may run (the enum of the task definition's `command`). */
export const TASK_COMMANDS = ['validate', 'sample', 'build', 'train', 'jobs', 'logs'] as const;
export type TaskCommand = (typeof TASK_COMMANDS)[number];

export interface TfodTaskDefinition {
  readonly type: typeof TASK_TYPE;
  readonly command: string;
  readonly args?: readonly string[];
}

export interface TaskProcess {
  readonly process: string;
  readonly args: string[];
  readonly env: Record<string, string>;
  /** Problem matchers to attach: `$tfod` for validate. */
  readonly problemMatchers: string[];
}

/** What is wrong with a task definition from tasks.json, or undefined. */
export function taskDefinitionProblem(definition: {
  readonly command?: unknown;
  readonly args?: unknown;
}): string | undefined {
  if (!TASK_COMMANDS.includes(definition.command as TaskCommand))
    return `a tfod task's "command" is one of ${TASK_COMMANDS.join(', ')}, not ${JSON.stringify(definition.command)}`;
  if (
    definition.args !== undefined &&
    !(Array.isArray(definition.args) && definition.args.every((a) => typeof a === 'string'))
  )
    return `a tfod task's "args" is a list of strings`;
  return undefined;
}

/**
 * The process a task runs: the bundled CLI under the extension host's own runtime (Electron's
 * binary runs scripts as Node with ELECTRON_RUN_AS_NODE; plain Node ignores it).
 */
export function taskProcess(
  definition: TfodTaskDefinition,
  cliPath: string,
  runtime: string,
): TaskProcess {
  return {
    process: runtime,
    // The Problems panel shows the matched messages as plain text: no Markdown backticks.
    args: [
      cliPath,
      definition.command,
      ...(definition.command === 'validate' ? ['--plain-quotes'] : []),
      ...(definition.args ?? []),
    ],
    env: { ELECTRON_RUN_AS_NODE: '1' },
    problemMatchers: definition.command === 'validate' ? ['$tfod'] : [],
  };
}

/** The task name the Run Task list shows: `tfod validate .`. */
export function taskLabel(definition: TfodTaskDefinition): string {
  return [TASK_TYPE, definition.command, ...(definition.args ?? [])].join(' ');
}
