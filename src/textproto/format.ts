// Formatting a whole file: parse, and print only when the parse is clean enough that printing
// cannot change what the Object Detection API reads. Warnings (protoc-only problems) do not block
// formatting, since the printer writes every value exactly as it was.

import type { TextFormatDiagnostic } from './diagnostics';
import { parse } from './parser';
import { print } from './printer';

export interface FormatResult {
  /** The formatted text, or the input unchanged when `skipped`. */
  text: string;
  changed: boolean;
  /** True when the input has errors and was left alone. */
  skipped: boolean;
  diagnostics: TextFormatDiagnostic[];
}

export function formatText(text: string): FormatResult {
  const doc = parse(text);
  const diagnostics = doc.diagnostics;
  if (diagnostics.some((d) => d.severity === 'error'))
    return { text, changed: false, skipped: true, diagnostics };
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const formatted = print(doc, { eol });
  return { text: formatted, changed: formatted !== text, skipped: false, diagnostics };
}
