import { CancelledError } from '../../../src/core/errors';
import {
  BACK,
  browseStart,
  type Back,
  type BrowseOptions,
  type FlowUi,
  type Frame,
  type PickItem,
  type PickQuestion,
  type TextQuestion,
} from '../../../src/extension/flows/flow';

/** What the person at the keyboard does at a question. */
export type Action =
  | { readonly type: string } // types this, then Enter
  | { readonly enter: true } // Enter on what is shown (the default, or the active item)
  | { readonly pick: string } // the item with this label
  | { readonly browse: string } // Browse…, and this path chosen in the dialog
  | { readonly back: true }
  | { readonly cancel: true };

export const ENTER: Action = { enter: true };
export const BACK_BUTTON: Action = { back: true };
export const ESCAPE: Action = { cancel: true };

/** A question as it was shown, and what came of it. */
export interface Shown {
  readonly title: string;
  readonly kind: 'text' | 'pick';
  readonly value: string | undefined;
  readonly canGoBack: boolean;
  readonly browse: BrowseOptions | undefined;
  readonly messages: string[];
}

/** A FlowUi that plays a script, as VS Code's quick input would, and records what it showed. */
export class ScriptedUi implements FlowUi {
  readonly shown: Shown[] = [];
  readonly dialogs: { title: string; start: string; folders: boolean; files: boolean }[] = [];
  private next = 0;

  constructor(private readonly script: readonly Action[]) {}

  get done(): boolean {
    return this.next === this.script.length;
  }

  async text(frame: Frame, question: TextQuestion): Promise<string | Back> {
    const shown = this.show(frame, 'text', question.value ?? '', question.browse);
    let value = question.value ?? '';
    for (;;) {
      const action = this.take(frame);
      if (action === BACK) return BACK;
      if ('pick' in action)
        throw new Error(`picked ${action.pick} at the text question ${shown.title}`);
      if ('browse' in action) {
        if (!question.browse) throw new Error(`no Browse… at ${shown.title}`);
        const start = browseStart(value, question.browse.base);
        const picked = this.dialog(frame.title, { ...question.browse, start }, action.browse);
        if (picked) value = picked;
        continue;
      }
      if ('type' in action) value = action.type;
      const message = question.validate?.(value.trim());
      if (!message) return value.trim();
      shown.messages.push(message);
    }
  }

  async pick<T extends PickItem>(frame: Frame, question: PickQuestion<T>): Promise<T | Back> {
    this.show(frame, 'pick', question.active?.label ?? question.items[0]?.label, undefined);
    const action = this.take(frame);
    if (action === BACK) return BACK;
    if ('enter' in action) return question.active ?? question.items[0]!;
    if (!('pick' in action)) throw new Error(`expected a pick at ${titleOf(frame)}`);
    const item = question.items.find((i) => i.label === action.pick);
    if (!item)
      throw new Error(
        `no item ${action.pick} at ${titleOf(frame)}: ${question.items.map((i) => i.label).join(', ')}`,
      );
    return item;
  }

  /** The dialog on its own (a pick item's): the next action is `{ browse }`, '' closes it. */
  async browse(
    title: string,
    options: BrowseOptions & { readonly start: string },
  ): Promise<string | undefined> {
    const action = this.script[this.next++];
    if (!action || !('browse' in action)) throw new Error(`expected a dialog answer at ${title}`);
    return this.dialog(title, options, action.browse);
  }

  private dialog(
    title: string,
    options: BrowseOptions & { readonly start: string },
    answer: string,
  ): string | undefined {
    const { start, folders, files } = options;
    this.dialogs.push({ title, start, folders, files });
    return answer || undefined;
  }

  private show(
    frame: Frame,
    kind: 'text' | 'pick',
    value: string | undefined,
    browse: BrowseOptions | undefined,
  ): Shown {
    const shown = {
      title: titleOf(frame),
      kind,
      value,
      canGoBack: frame.canGoBack,
      browse,
      messages: [],
    };
    this.shown.push(shown);
    return shown;
  }

  private take(frame: Frame): Exclude<Action, { back: true } | { cancel: true }> | Back {
    const action = this.script[this.next++];
    if (!action) throw new Error(`the script ended at ${titleOf(frame)}`);
    if ('cancel' in action) throw new CancelledError();
    if ('back' in action) {
      if (!frame.canGoBack) throw new Error(`no Back at ${titleOf(frame)}`);
      return BACK;
    }
    return action;
  }
}

function titleOf(frame: Frame): string {
  return `${frame.title} (${frame.step}/${frame.total})`;
}
