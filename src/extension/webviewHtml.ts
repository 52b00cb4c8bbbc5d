import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { webviewPage } from './webviewPage';

/**
 * The page every webview of the extension loads: its bundle from dist/media (`<panel>.js` and
 * `<panel>.css`), a strict Content-Security-Policy (nothing by default, styles and images from the
 * extension only, the one script by a fresh nonce), an empty `#root` the script renders into, and
 * the display language's translations for the script's `t()` (webviewPage.ts).
 */
export function webviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  panel: string,
  title: string,
): string {
  const media = vscode.Uri.joinPath(extensionUri, 'dist', 'media');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(media, `${panel}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(media, `${panel}.css`));
  const nonce = randomBytes(16).toString('base64');
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return webviewPage({
    language: vscode.env.language,
    csp,
    nonce,
    script: script.toString(),
    style: style.toString(),
    title,
    bundle: vscode.l10n.bundle,
  });
}
