/**
 * `l10n.t` for the extension's modules kept free of 'vscode' (the guided flows and the steps they
 * declare, unit-tested without VS Code): the same call as `vscode.l10n.t(message, ...args)`, read
 * by scripts/l10n.mjs like it. activate() hands it `vscode.l10n.t` (useTranslator); until then,
 * and in the unit tests, a message is its English text with `{0}`, `{1}`... replaced by the
 * arguments, as vscode.l10n.t does with no bundle loaded.
 */
export type Translate = (message: string, ...args: (string | number | boolean)[]) => string;

/** The English text: `{n}` replaced by the n-th argument; a placeholder without one stays. */
export const english: Translate = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (placeholder, index: string) => {
    const arg = args[Number(index)];
    return arg === undefined ? placeholder : String(arg);
  });

let translate: Translate = english;

/** Makes `l10n.t` translate with VS Code's bundle (activate() calls it). */
export function useTranslator(translator: Translate): void {
  translate = translator;
}

export const l10n = {
  t: (message: string, ...args: (string | number | boolean)[]): string =>
    translate(message, ...args),
};
