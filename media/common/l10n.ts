// The webviews' `t()`: VS Code's way of localising a webview, done in a few lines. The host puts
// `vscode.l10n.bundle` (the display language's translations, undefined in English) into the page
// as a JSON data block (src/extension/webviewPage.ts); `t(message, ...args)` looks the English
// message up in it, falls back to the English, and fills `{0}`, `{1}`... with the arguments, as
// `vscode.l10n.t` does. scripts/l10n.mjs exports the messages of every `t('...')` in media/ to
// l10n/bundle.l10n.json with the extension's own, so one set of translation files serves both.
import { L10N_BLOCK_ID } from '../../src/extension/webviewPage';

export type Bundle = Readonly<Record<string, string>>;
export type Arg = string | number | boolean;
export type Translate = (message: string, ...args: Arg[]) => string;

/** `t` over `bundle`: its translation of a message, else the English, placeholders filled. */
export function translator(bundle: Bundle | undefined): Translate {
  return (message, ...args) => {
    const translated = bundle && Object.hasOwn(bundle, message) ? bundle[message] : undefined;
    const text = typeof translated === 'string' && translated !== '' ? translated : message;
    return text.replace(/\{(\d+)\}/g, (placeholder, index: string) => {
      const arg = args[Number(index)];
      return arg === undefined ? placeholder : String(arg);
    });
  };
}

/**
 * The bundle in a data block's text, or undefined when there is none (English) or it is not a
 * JSON object of strings (then the page shows English rather than nothing).
 */
export function parseBundle(text: string | null | undefined): Bundle | undefined {
  if (!text) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    return Object.fromEntries(
      Object.entries(parsed).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
  } catch {
    return undefined;
  }
}

let translate: Translate | undefined;

/** The part of the page t() reads: absent in Node (the unit tests), so typed here, not by DOM. */
interface Page {
  getElementById(id: string): { readonly textContent: string | null } | null;
}

/** The page's bundle, read once on first use (outside a page, as in unit tests: English). */
function pageTranslator(): Translate {
  const page = (globalThis as { document?: Page }).document;
  translate ??= translator(parseBundle(page?.getElementById(L10N_BLOCK_ID)?.textContent));
  return translate;
}

/** A user-visible message of a webview in the display language; English where not translated. */
export function t(message: string, ...args: Arg[]): string {
  return pageTranslator()(message, ...args);
}
