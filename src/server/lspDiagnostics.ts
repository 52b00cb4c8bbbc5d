// Validation results to LSP diagnostics: offsets become line/character only here, at the edge.

import {
  DiagnosticSeverity,
  DiagnosticTag,
  type Diagnostic,
  type DiagnosticRelatedInformation,
} from 'vscode-languageserver';
import { plainMessage, type ValidationDiagnostic } from '../schema/validate';
import { LineIndex } from '../textproto';
import { pathToUri } from './uris';

export const DIAGNOSTIC_SOURCE = 'tfod';

// The Problems panel, hovers on squiggles and quick-fix titles show plain text.
export { plainMessage };

const SEVERITY = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
} as const;

/** Line indexes of other files, for related information that points into them. */
export type OtherFileIndex = (path: string) => LineIndex | undefined;

/**
 * Codes shown as hints in the editor (faint dots, not listed in the Problems panel): a model-zoo
 * template's placeholder paths are what every template has, and the training container fills
 * them in, so five notices per template in the Problems panel were noise. `tfod validate --info`
 * still prints them.
 */
const HINT_CODES: ReadonlySet<string> = new Set(['path-placeholder']);

export function toLspDiagnostic(
  d: ValidationDiagnostic,
  lines: LineIndex,
  uri: string,
  other: OtherFileIndex,
): Diagnostic {
  const result: Diagnostic = {
    range: { start: lines.positionAt(d.offset), end: lines.positionAt(d.offset + d.length) },
    severity: HINT_CODES.has(d.code) ? DiagnosticSeverity.Hint : SEVERITY[d.severity],
    source: DIAGNOSTIC_SOURCE,
    code: d.code,
    message: plainMessage(d.message),
  };
  const tags: DiagnosticTag[] = [];
  if (d.deprecated) tags.push(DiagnosticTag.Deprecated);
  if (d.unnecessary) tags.push(DiagnosticTag.Unnecessary);
  if (tags.length > 0) result.tags = tags;
  if (d.related?.length) {
    const related: DiagnosticRelatedInformation[] = [];
    for (const r of d.related) {
      const index = r.path ? other(r.path) : lines;
      if (!index) continue;
      related.push({
        location: {
          uri: r.path ? pathToUri(r.path) : uri,
          range: { start: index.positionAt(r.offset), end: index.positionAt(r.offset + r.length) },
        },
        message: plainMessage(r.message),
      });
    }
    if (related.length > 0) result.relatedInformation = related;
  }
  return result;
}
