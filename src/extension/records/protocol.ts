import type { RecordPageItem } from '../../core/records/pageTypes';

/**
 * The messages between the TFRecord viewer (media/records) and the extension host. No 'vscode'
 * here: the webview bundle imports these types too. Page requests carry an id; the answer repeats
 * it so the webview drops answers to pages it no longer waits for.
 */
export const RECORDS_PAGE_SIZE = 12;

export type HostMessage =
  | {
      readonly type: 'summary';
      readonly file: string;
      readonly records: number;
      /** Problems met while finding the records (a bad length CRC ends the file there). */
      readonly problems: readonly string[];
      readonly labelMap?: string;
    }
  | {
      readonly type: 'page';
      readonly requestId: number;
      readonly from: number;
      readonly items: readonly RecordPageItem[];
    }
  | { readonly type: 'error'; readonly requestId?: number; readonly message: string };

export type WebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'page'; readonly requestId: number; readonly from: number };

/** What the webview keeps with setState: the page it shows. */
export interface RecordsViewState {
  readonly from: number;
}

export function isWebviewMessage(value: unknown): value is WebviewMessage {
  const message = value as { type?: unknown; requestId?: unknown; from?: unknown } | undefined;
  return (
    message?.type === 'ready' ||
    (message?.type === 'page' &&
      Number.isSafeInteger(message.requestId) &&
      Number.isSafeInteger(message.from) &&
      (message.from as number) >= 0)
  );
}
