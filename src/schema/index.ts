// The Object Detection config schema: the model, the built-in schema, and the .proto reader for a
// user's own folder of protos. Nothing here imports 'vscode'.

export * from './model';
export { joinName, parentScope, resolveTypeName } from './names';
export { defaultProblem, formatDefault, integerRange, isFloatKind, isIntegerKind } from './values';
export {
  OD_PROTOS_COMMIT,
  objectDetectionSchema,
  objectDetectionSchemaProblems,
} from './objectDetection';
export {
  loadSchemaFromProtoFolder,
  parseProtoFile,
  schemaFromProtoSources,
  type ProtoError,
  type ProtoSchemaResult,
} from './protoFile';
