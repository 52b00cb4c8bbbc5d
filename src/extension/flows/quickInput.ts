import * as vscode from 'vscode';
import { CancelledError } from '../../core/errors';
import {
  BACK,
  browseStart,
  runFlow,
  type Back,
  type BrowseOptions,
  type Flow,
  type FlowUi,
  type Frame,
  type PickItem,
  type PickQuestion,
  type TextQuestion,
} from './flow';

/**
 * The guided flows' UI in VS Code: one InputBox or QuickPick a step, titled "Title (n/total)",
 * with Back (QuickInputButtons.Back) in the title bar from the second step on, and Browse… on
 * path questions. Escape, or anything else that hides the input, cancels the flow.
 */
export const quickInputUi: FlowUi = {
  text: askText,
  pick: askPick,
  browse: openDialog,
};

/** Runs a flow in VS Code's quick input. */
export function runQuickInputFlow<S extends object>(flow: Flow<S>, start: S): Promise<S> {
  return runFlow(quickInputUi, flow, start);
}

/** Browse…, made when first shown: nothing of `vscode` is touched at activation. */
let browseButton: vscode.QuickInputButton | undefined;
function browse(): vscode.QuickInputButton {
  browseButton ??= {
    iconPath: new vscode.ThemeIcon('folder-opened'),
    tooltip: vscode.l10n.t('Browse…'),
  };
  return browseButton;
}

function titleOf(frame: Frame): string {
  return vscode.l10n.t('{0} ({1}/{2})', frame.title, frame.step, frame.total);
}

async function askText(frame: Frame, question: TextQuestion): Promise<string | Back> {
  const input = vscode.window.createInputBox();
  input.title = titleOf(frame);
  input.prompt = question.browse
    ? vscode.l10n.t('{0} (or Browse… in the title bar)', question.prompt)
    : question.prompt;
  input.value = question.value ?? '';
  input.placeholder = question.placeHolder;
  input.ignoreFocusOut = true;
  input.buttons = [
    ...(frame.canGoBack ? [vscode.QuickInputButtons.Back] : []),
    ...(question.browse ? [browse()] : []),
  ];
  const check = (value: string) => {
    input.validationMessage = question.validate?.(value.trim());
  };
  check(input.value);
  const subscriptions: vscode.Disposable[] = [];
  try {
    return await new Promise<string | Back>((accept, reject) => {
      // The open dialog can take focus from the input: that hide is not a cancel.
      let browsing = false;
      subscriptions.push(
        input.onDidChangeValue(check),
        input.onDidAccept(() => {
          check(input.value);
          if (!input.validationMessage) accept(input.value.trim());
        }),
        input.onDidHide(() => {
          if (!browsing) reject(new CancelledError());
        }),
        input.onDidTriggerButton(async (button) => {
          if (button === vscode.QuickInputButtons.Back) return accept(BACK);
          if (!question.browse) return;
          browsing = true;
          try {
            const picked = await openDialog(frame.title, {
              ...question.browse,
              start: browseStart(input.value, question.browse.base),
            });
            if (picked) input.value = picked;
          } finally {
            // The dialog hides the input in some windows: show it again with the answer.
            check(input.value);
            input.show();
            browsing = false;
          }
        }),
      );
      input.show();
    });
  } finally {
    for (const subscription of subscriptions) subscription.dispose();
    input.dispose();
  }
}

async function askPick<T extends PickItem>(
  frame: Frame,
  question: PickQuestion<T>,
): Promise<T | Back> {
  const pick = vscode.window.createQuickPick<T & vscode.QuickPickItem>();
  pick.title = titleOf(frame);
  pick.placeholder = question.placeHolder;
  pick.ignoreFocusOut = true;
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  pick.items = question.items as readonly (T & vscode.QuickPickItem)[];
  if (question.active) pick.activeItems = [question.active as T & vscode.QuickPickItem];
  pick.buttons = frame.canGoBack ? [vscode.QuickInputButtons.Back] : [];
  const subscriptions: vscode.Disposable[] = [];
  try {
    return await new Promise<T | Back>((accept, reject) => {
      subscriptions.push(
        pick.onDidAccept(() => {
          const chosen = pick.selectedItems[0] ?? pick.activeItems[0];
          if (chosen) accept(chosen);
        }),
        pick.onDidHide(() => reject(new CancelledError())),
        pick.onDidTriggerButton((button) => {
          if (button === vscode.QuickInputButtons.Back) accept(BACK);
        }),
      );
      pick.show();
    });
  } finally {
    for (const subscription of subscriptions) subscription.dispose();
    pick.dispose();
  }
}

async function openDialog(
  title: string,
  options: BrowseOptions & { readonly start: string },
): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title,
    canSelectFolders: options.folders,
    canSelectFiles: options.files,
    canSelectMany: false,
    defaultUri: vscode.Uri.file(options.start),
    ...(options.filters ? { filters: { ...options.filters } } : {}),
    openLabel:
      options.openLabel ??
      (options.folders ? vscode.l10n.t('Use This Folder') : vscode.l10n.t('Use This File')),
  });
  return picked?.[0]?.fsPath;
}
