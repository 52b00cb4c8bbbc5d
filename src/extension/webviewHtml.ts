import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * The page every webview of the extension loads: its bundle from dist/media (`<panel>.js` and
 * `<panel>.css`), a strict Content-Security-Policy (nothing by default, styles and images from the
 * extension only, the one script by a fresh nonce), and an empty `#root` the script renders into.
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
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>${title}</title>
</head>
<body>
<main id="root" aria-live="polite"></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
