import * as vscode from 'vscode';
import { CancelledError } from '../../core/errors';

/**
 * InputBox and QuickPick steps of the guided flows. Escape cancels the whole flow (a
 * CancelledError, which the command wrapper shows as nothing).
 */
export interface Step {
  readonly title: string;
  readonly step: number;
  readonly total: number;
}

function title(step: Step): string {
  return `${step.title} (${step.step}/${step.total})`;
}

export async function askText(
  step: Step,
  options: {
    prompt: string;
    value?: string | undefined;
    placeHolder?: string;
    validate?: (value: string) => string | undefined;
  },
): Promise<string> {
  const answer = await vscode.window.showInputBox({
    title: title(step),
    prompt: options.prompt,
    value: options.value ?? '',
    placeHolder: options.placeHolder,
    ignoreFocusOut: true,
    validateInput: (value) => options.validate?.(value.trim()),
  });
  if (answer === undefined) throw new CancelledError();
  return answer.trim();
}

export async function askNumber(
  step: Step,
  options: { prompt: string; value: number; min: number; max: number; unit: string },
): Promise<number> {
  const text = await askText(step, {
    prompt: options.prompt,
    value: String(options.value),
    validate: (value) => {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < options.min || n > options.max)
        return `A whole number of ${options.unit} from ${options.min} to ${options.max}`;
      return undefined;
    },
  });
  return Number(text);
}

export async function askPick<T extends vscode.QuickPickItem>(
  step: Step,
  items: readonly T[],
  placeHolder: string,
): Promise<T> {
  const picked = await vscode.window.showQuickPick(items, {
    title: title(step),
    placeHolder,
    ignoreFocusOut: true,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) throw new CancelledError();
  return picked;
}
