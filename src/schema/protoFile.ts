// Reading .proto files into the schema model: the entry points for a user's own folder of protos.
// The pieces live in ./proto/ (lexer, parser, linker, folder loader).

export type { ProtoError, RawConstant, RawEnum, RawField, RawFile, RawMessage } from './proto/ast';
export { loadSchemaFromProtoFolder, schemaFromProtoSources } from './proto/folder';
export type { ProtoSchemaResult } from './proto/folder';
export { linkProtoFiles } from './proto/link';
export { mapEntryName, parseProtoFile } from './proto/parser';
