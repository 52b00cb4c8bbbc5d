import * as vscode from 'vscode';
import { isTextFormatPipelineConfig } from '../schema/validate/documentType';

/** The language id of protobuf text format (pipeline configs, label maps). */
export const TEXT_FORMAT_LANGUAGE = 'textproto';

/**
 * VS Code maps `*.config` to XML (for .NET's web.config). A model-zoo pipeline config such as
 * `ssd_mobilenet_v2_coco.config` is text format: switch such documents when they open, judged by
 * their content, and leave real XML alone.
 */
export function registerConfigLanguageSwitch(extension: vscode.ExtensionContext): void {
  const consider = (document: vscode.TextDocument) => {
    if (document.languageId === TEXT_FORMAT_LANGUAGE) return;
    if (!document.fileName.toLowerCase().endsWith('.config')) return;
    if (!['xml', 'plaintext'].includes(document.languageId)) return;
    const text = document.getText();
    if (!isTextFormatPipelineConfig(text) && !/^#\s*proto-(message|file):/.test(text)) return;
    void vscode.languages.setTextDocumentLanguage(document, TEXT_FORMAT_LANGUAGE);
  };
  extension.subscriptions.push(vscode.workspace.onDidOpenTextDocument(consider));
  for (const document of vscode.workspace.textDocuments) consider(document);
}
