// Validation and the schema walker: the language service behind diagnostics (and, through the same
// walker, hover and completion). Pure except for NodeProjectHost, which reads the file system.

export { plainMessage } from './diagnostic';
export type {
  Origin,
  QuickFix,
  RelatedInformation,
  Severity,
  ValidationDiagnostic,
} from './diagnostic';
export {
  detectDocumentType,
  findMessage,
  isTextFormatPipelineConfig,
  protoMessageHeader,
  type DocumentType,
} from './documentType';
export {
  labelMapDiagnostics,
  readLabelMap,
  type LabelMapItem,
  type LabelMapSummary,
} from './labelMapRules';
export { NodeProjectHost } from './nodeHost';
export {
  globToRegExp,
  isPathField,
  PATH_FIELDS,
  resolveProjectPath,
  type ProjectHost,
  type RecordsSummary,
  type Resolution,
} from './project';
export { ScalarValues, SchemaChecks } from './schemaChecks';
export {
  defaultSchema,
  LabelMapCache,
  typeName,
  validateBytes,
  validateText,
  type ValidateOptions,
  type ValidationResult,
} from './validate';
export {
  PLACEHOLDER,
  tensorflowOfArchitecture,
  tensorflowVersion,
  type TensorFlowVersion,
  type TrainingTarget,
} from './trainingRules';
export { bindField, bindingAt, walkSchema, type FieldBinding, type SchemaVisitor } from './walker';
