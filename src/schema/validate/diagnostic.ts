// What validation reports: a problem with a range in the validated text, a severity, and who
// decides it. `origin` says which oracle the severity follows:
// - 'text-format': the parsers (Python's text_format.Merge decides error, protoc alone a warning);
// - 'schema': the same two parsers reading against the message types (unknown fields, types);
// - 'api': the Object Detection API's own code at run time (label_map_util, the builders);
// - 'project': other files (the label map, TFRecords, checkpoints) as found on disk.

import type { TextEdit, TextFormatDiagnostic, Verdict } from '../../textproto';

export type Severity = 'error' | 'warning' | 'information';

/**
 * A message as plain text shows it (the Problems panel, quick-fix titles, a notification): the
 * validator's Markdown `code` spans, kept for hovers and the terminal, become 'code', the way
 * VS Code's own diagnostics quote names.
 */
export function plainMessage(message: string): string {
  return message.replace(/`([^`\n]*)`/g, "'$1'");
}

export type Origin = 'text-format' | 'schema' | 'api' | 'project';

export interface RelatedInformation {
  readonly message: string;
  /** Another file; absent for the validated text itself. */
  readonly path?: string;
  /** Offset and length in the validated text, or in `path`'s text. */
  readonly offset: number;
  readonly length: number;
}

/** A mechanical fix of a problem: edits of the validated text (offered as a quick fix). */
export interface QuickFix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
}

export interface ValidationDiagnostic {
  readonly code: string;
  readonly message: string;
  readonly offset: number;
  readonly length: number;
  readonly severity: Severity;
  readonly origin: Origin;
  /** The two parsers' verdicts, for text-format and schema problems. */
  readonly python?: Verdict;
  readonly protoc?: Verdict;
  /** The field is deprecated (editors strike it through). */
  readonly deprecated?: boolean;
  /** The text is a placeholder or otherwise not in effect (editors fade it). */
  readonly unnecessary?: boolean;
  readonly related?: readonly RelatedInformation[];
  /** The fix, when it is mechanical. */
  readonly fix?: QuickFix;
}

export function fromTextFormat(d: TextFormatDiagnostic, origin: Origin): ValidationDiagnostic {
  return {
    code: d.code,
    message: d.message,
    offset: d.offset,
    length: d.length,
    severity: d.severity,
    origin,
    python: d.python,
    protoc: d.protoc,
    ...(d.related ? { related: d.related } : {}),
  };
}

/** A problem judged by the two parsers: error when Python rejects, warning when only protoc does. */
export function parserVerdict(
  code: string,
  message: string,
  at: { offset: number; length: number },
  python: Verdict,
  protoc: Verdict,
  related?: readonly RelatedInformation[],
): ValidationDiagnostic {
  return {
    code,
    message,
    offset: at.offset,
    length: at.length,
    severity: python === 'rejects' ? 'error' : 'warning',
    origin: 'schema',
    python,
    protoc,
    ...(related ? { related } : {}),
  };
}
