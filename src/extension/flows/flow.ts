import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { l10n } from '../l10n';

/**
 * The guided flows' runner, without VS Code: a flow is its steps declared once, over a state
 * object that starts with the defaults (the last run's answers); the UI behind `FlowUi` is VS
 * Code's quick input (quickInput.ts) or a script in the unit tests.
 *
 * - Every step after the first has Back: it returns to the step asked before, with the answer
 *   given there filled in. Escape (the UI throws CancelledError) cancels the whole flow.
 * - A step with `when` is asked only when it holds for the answers so far; a skipped step is not
 *   counted in the "(n/total)" titles and stays skipped when going back past it.
 * - Going back restores the state as it was before the step gone back to, so answers of steps
 *   that are no longer on the way (a spot wait after choosing on-demand) do not leak into the
 *   result; a step asked again still sees its own last answer, unless a step since answered
 *   the same key (that is how a step resets a default derived from it).
 */

/** Where a question stands in its flow: "title (step/total)", and whether Back is offered. */
export interface Frame {
  readonly title: string;
  readonly step: number;
  readonly total: number;
  readonly canGoBack: boolean;
}

/** A local path question's Browse…: the system dialog, started at what is typed. */
export interface BrowseOptions {
  /** Relative answers are relative to this folder (the workspace folder). */
  readonly base: string;
  readonly folders: boolean;
  readonly files: boolean;
  readonly filters?: Readonly<Record<string, string[]>> | undefined;
  readonly openLabel?: string | undefined;
}

export interface TextQuestion {
  readonly prompt: string;
  readonly value?: string | undefined;
  readonly placeHolder?: string | undefined;
  /** A message while the (trimmed) value is not acceptable; Enter is refused until it is. */
  readonly validate?: ((value: string) => string | undefined) | undefined;
  /** A local folder or file: the input offers Browse…. */
  readonly browse?: BrowseOptions | undefined;
}

export interface NumberQuestion {
  readonly prompt: string;
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly unit: string;
}

export interface PickItem {
  readonly label: string;
  readonly description?: string | undefined;
  readonly detail?: string | undefined;
}

export interface PickQuestion<T extends PickItem> {
  readonly items: readonly T[];
  readonly placeHolder: string;
  /** The item highlighted when the pick opens (the previous answer, going back). */
  readonly active?: T | undefined;
}

export const BACK: unique symbol = Symbol('back');
export type Back = typeof BACK;

/**
 * The quick input a flow talks to. `text` returns the trimmed, valid answer and `pick` the item
 * chosen, or BACK; Escape throws CancelledError. `browse` is the system's open dialog: the
 * path chosen, or undefined when it was closed.
 */
export interface FlowUi {
  text(frame: Frame, question: TextQuestion): Promise<string | Back>;
  pick<T extends PickItem>(frame: Frame, question: PickQuestion<T>): Promise<T | Back>;
  browse(
    title: string,
    options: BrowseOptions & { readonly start: string },
  ): Promise<string | undefined>;
}

/** What a step asks with: its frame is bound, and Back leaves the step. */
export interface Ask {
  text(question: TextQuestion): Promise<string>;
  number(question: NumberQuestion): Promise<number>;
  pick<T extends PickItem>(question: PickQuestion<T>): Promise<T>;
  /** The open dialog on its own (a pick item such as "Model folder…"). */
  browse(options: BrowseOptions & { readonly start?: string }): Promise<string | undefined>;
}

export interface FlowStep<S> {
  /** Asked only when true for the answers so far. */
  readonly when?: (state: S) => boolean;
  /** Asks, and returns the answers to merge into the state. */
  readonly ask: (state: S, ask: Ask) => Promise<Partial<S>>;
}

export interface Flow<S> {
  readonly title: string;
  readonly steps: readonly FlowStep<S>[];
}

class GoBack extends Error {}

/** Runs `flow` from `start` (the defaults) to the state its answers make. */
export async function runFlow<S extends object>(ui: FlowUi, flow: Flow<S>, start: S): Promise<S> {
  let state = start;
  // The steps asked, in order, each with the state before it was asked.
  const asked: { index: number; before: S }[] = [];
  // Each step's last answer, offered again when it is asked again.
  const answers = new Map<number, Partial<S>>();
  let index = 0;
  while (index < flow.steps.length) {
    const step = flow.steps[index]!;
    if (step.when && !step.when(state)) {
      index++;
      continue;
    }
    const frame: Frame = {
      title: flow.title,
      step: asked.length + 1,
      total: asked.length + remaining(flow.steps, index, state, answers),
      canGoBack: asked.length > 0,
    };
    try {
      const answer = await step.ask({ ...state, ...answers.get(index) }, askWith(ui, frame));
      // An answer also stands for what other steps remember under its keys: a step that
      // resets a derived answer (the image name of another architecture) makes it derived again.
      for (const [other, remembered] of answers)
        answers.set(
          other,
          Object.fromEntries(
            Object.entries(remembered).filter(([key]) => !(key in answer)),
          ) as Partial<S>,
        );
      answers.set(index, answer);
      asked.push({ index, before: state });
      state = { ...state, ...answer };
      index++;
    } catch (error) {
      if (!(error instanceof GoBack)) throw error;
      const previous = asked.pop();
      if (!previous) continue; // no step before the first: ask it again
      state = previous.before;
      index = previous.index;
    }
  }
  return state;
}

/**
 * The steps from `from` on that Enter at each would ask: a step asked before counts with its last
 * answer (shown again), one not asked yet with the defaults.
 */
function remaining<S>(
  steps: readonly FlowStep<S>[],
  from: number,
  state: S,
  answers: ReadonlyMap<number, Partial<S>>,
): number {
  let count = 0;
  let predicted = state;
  for (let index = from; index < steps.length; index++) {
    const step = steps[index]!;
    if (step.when && !step.when(predicted)) continue;
    count++;
    predicted = { ...predicted, ...answers.get(index) };
  }
  return count;
}

function askWith(ui: FlowUi, frame: Frame): Ask {
  const answered = <T>(value: T | Back): T => {
    if (value === BACK) throw new GoBack();
    return value;
  };
  const text = async (question: TextQuestion) => answered(await ui.text(frame, question));
  return {
    text,
    number: async (question) =>
      Number(
        await text({
          prompt: question.prompt,
          value: String(question.value),
          validate: (value) => numberProblem(value, question),
        }),
      ),
    pick: async (question) => answered(await ui.pick(frame, question)),
    browse: (options) =>
      ui.browse(frame.title, { ...options, start: browseStart(options.start ?? '', options.base) }),
  };
}

export function numberProblem(
  value: string,
  limits: Pick<NumberQuestion, 'min' | 'max' | 'unit'>,
): string | undefined {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < limits.min || n > limits.max)
    return l10n.t('A whole number of {0} from {1} to {2}', limits.unit, limits.min, limits.max);
  return undefined;
}

/** The items with those that satisfy `first` ahead (the last used), otherwise in their order. */
export function firstWhere<T>(items: readonly T[], first: (item: T) => boolean): T[] {
  return [...items.filter(first), ...items.filter((item) => !first(item))];
}

/** A typed path as an absolute one: relative paths are relative to `base`. */
export function resolvePath(base: string, value: string): string {
  return isAbsolute(value) ? value : resolve(base, value);
}

/** Where Browse… opens: at what is typed, else at `base`. */
export function browseStart(typed: string, base: string): string {
  return typed.trim() ? resolvePath(base, typed.trim()) : base;
}

/**
 * Why a typed folder will not do (relative to `base`); empty is fine when `optional`, else the
 * answer is `missing` (the caller's message, translated there: "Give the training folder").
 */
export function folderProblem(
  value: string,
  base: string,
  missing: string,
  optional = false,
): string | undefined {
  if (!value.trim()) return optional ? undefined : missing;
  const path = resolvePath(base, value);
  if (!existsSync(path)) return l10n.t('{0} does not exist', path);
  if (!statSync(path).isDirectory()) return l10n.t('{0} is not a folder', path);
  return undefined;
}
