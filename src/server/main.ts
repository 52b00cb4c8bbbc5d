import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startLanguageServer } from './server';

// `node dist/server.js --stdio` (or --node-ipc when started by the extension's client).
startLanguageServer(createConnection(ProposedFeatures.all));
