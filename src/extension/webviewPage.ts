/**
 * The text of the page every webview loads, kept free of 'vscode' so a unit test reads the very
 * page a panel gets (webviewHtml.ts fills in the URIs, the CSP source and the language).
 */
export interface WebviewPage {
  /** `vscode.env.language`: the page's `lang`, so a screen reader speaks it as written. */
  readonly language: string;
  readonly csp: string;
  readonly nonce: string;
  readonly script: string;
  readonly style: string;
  readonly title: string;
  /**
   * `vscode.l10n.bundle`: the translations of the display language, which the webview's `t()`
   * (media/common/l10n.ts) looks its messages up in; undefined in English (no bundle loaded).
   */
  readonly bundle: Readonly<Record<string, string>> | undefined;
}

/** The id of the page's translation data block (media/common/l10n.ts reads it). */
export const L10N_BLOCK_ID = 'tfod-l10n';

/** `text` safe as HTML character data or a quoted attribute value. */
function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/**
 * The bundle as a JSON data block: a `<script>` of type application/json is never run (so the
 * CSP's script nonce has nothing to allow), and its text is the JSON exactly, once every `<` is
 * written as the JSON escape \u003c so no message can close the element.
 */
function l10nBlock(bundle: WebviewPage['bundle']): string {
  if (!bundle) return '';
  const json = JSON.stringify(bundle).replace(/</g, '\\u003c');
  return `<script type="application/json" id="${L10N_BLOCK_ID}">${json}</script>\n`;
}

/**
 * A strict Content-Security-Policy (given), the stylesheet, an empty `#root` the script renders
 * into, the translations when the display language has any, then the one script, by nonce.
 */
export function webviewPage(page: WebviewPage): string {
  return `<!DOCTYPE html>
<html lang="${escapeHtml(page.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${page.csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${page.style}">
<title>${escapeHtml(page.title)}</title>
</head>
<body>
<main id="root" aria-live="polite"></main>
${l10nBlock(page.bundle)}<script nonce="${page.nonce}" src="${page.script}"></script>
</body>
</html>`;
}
