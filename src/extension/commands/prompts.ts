import { isAbsolute, resolve as resolvePath } from 'node:path';
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

/**
 * A folder path step: typed (relative to `base`, or absolute) or picked with the Browse button
 * in the input's title bar, which opens the system's folder dialog at what is typed.
 */
export async function askFolder(
  step: Step,
  options: {
    prompt: string;
    value?: string | undefined;
    base: string;
    validate?: (value: string) => string | undefined;
  },
): Promise<string> {
  const input = vscode.window.createInputBox();
  const browse: vscode.QuickInputButton = {
    iconPath: new vscode.ThemeIcon('folder-opened'),
    tooltip: 'Browse…',
  };
  input.title = title(step);
  input.prompt = `${options.prompt} (or Browse… in the title bar)`;
  input.value = options.value ?? '';
  input.ignoreFocusOut = true;
  input.buttons = [browse];
  const check = (value: string) => {
    input.validationMessage = options.validate?.(value.trim());
  };
  check(input.value);
  try {
    return await new Promise<string>((accept, reject) => {
      // The folder dialog can take focus from the input: that hide is not a cancel.
      let browsing = false;
      input.onDidChangeValue(check);
      input.onDidAccept(() => {
        check(input.value);
        if (!input.validationMessage) accept(input.value.trim());
      });
      input.onDidHide(() => {
        if (!browsing) reject(new CancelledError());
      });
      input.onDidTriggerButton(async () => {
        browsing = true;
        const typed = input.value.trim();
        const start = !typed
          ? options.base
          : isAbsolute(typed)
            ? typed
            : resolvePath(options.base, typed);
        const picked = await vscode.window.showOpenDialog({
          canSelectFiles: false,
          canSelectFolders: true,
          defaultUri: vscode.Uri.file(start),
          title: step.title,
          openLabel: vscode.l10n.t('Use This Folder'),
        });
        // The dialog hides the input in some windows: show it again with the answer.
        if (picked?.[0]) input.value = picked[0].fsPath;
        check(input.value);
        input.show();
        browsing = false;
      });
      input.show();
    });
  } finally {
    input.dispose();
  }
}
