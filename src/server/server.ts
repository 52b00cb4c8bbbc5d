import {
  type Connection,
  type InitializeResult,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { TFOD_VERSION } from '../core/version';

export const SERVER_NAME = 'tfod-language-server';

/**
 * Wires the language server's handlers onto a connection. Handlers stay thin: they turn LSP
 * params into calls to the pure language service (text-format engine and schema), which never
 * sees LSP or VS Code types.
 */
export function startLanguageServer(connection: Connection): TextDocuments<TextDocument> {
  const documents = new TextDocuments(TextDocument);

  connection.onInitialize((): InitializeResult => ({
    capabilities: {
      textDocumentSync: {
        openClose: true,
        change: TextDocumentSyncKind.Incremental,
      },
    },
    serverInfo: { name: SERVER_NAME, version: TFOD_VERSION },
  }));

  documents.listen(connection);
  connection.listen();
  return documents;
}
