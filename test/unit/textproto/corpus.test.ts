// Checks against the shared corpus (../shared/corpus, or TFOD_CORPUS): every real Object Detection
// config and label map, and the mutants with the verdicts of Python's text_format.Merge (what the
// API runs) and protoc.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeUtf8,
  forEachNode,
  LineIndex,
  parse,
  print,
  scalarText,
  type DocumentNode,
  type Node,
  type TextFormatDiagnostic,
} from '../../../src/textproto';
import { mutants, realFiles } from './corpus';

/** The document's content without layout: names, nesting and values as written, in order. */
function skeleton(doc: DocumentNode): string[] {
  const out: string[] = [];
  const depth = new Map<Node, number>([[doc, 0]]);
  forEachNode(doc, (node) => {
    const d = node.parent ? (depth.get(node.parent) ?? 0) + 1 : 0;
    depth.set(node, d);
    if (node.kind === 'field') out.push(`${d} ${node.name.form} ${node.name.text}`);
    else if (node.kind === 'scalar') out.push(`${d} = ${scalarText(node)}`);
    else if (node.kind === 'message') out.push(`${d} {${node.fields.length}`);
    else if (node.kind === 'list') out.push(`${d} [${node.elements.length}`);
  });
  return out;
}

describe('corpus: real configs and label maps', () => {
  const files = realFiles();

  it('finds the corpus files', () => {
    assert.ok(files.length >= 70, `only ${files.length} corpus files`);
  });

  it('parses every file with no diagnostics at all', () => {
    for (const file of files) assert.deepEqual(parse(file.text).diagnostics, [], file.name);
  });

  it('prints every file idempotently, keeping fields, values, order and every comment', () => {
    for (const file of files) {
      const doc = parse(file.text);
      const printed = print(doc);
      const reparsed = parse(printed);
      assert.deepEqual(reparsed.diagnostics, [], file.name);
      assert.equal(print(reparsed), printed, `${file.name}: not idempotent`);
      assert.deepEqual(skeleton(reparsed), skeleton(doc), `${file.name}: content changed`);
      assert.deepEqual(
        reparsed.comments.map((c) => c.text),
        doc.comments.map((c) => c.text),
        `${file.name}: comments changed`,
      );
    }
  });
});

/**
 * Mutation kinds the parser alone can judge: its errors must match Python's verdict exactly, and
 * where only protoc rejects the mutant it must warn. The other kinds need the schema (unknown
 * fields, enum values, field types, duplicates, oneofs) and are only checked for false errors.
 */
const SYNTACTIC_KINDS = new Set([
  'angle_brackets_all',
  'angle_brackets_message',
  'angle_brackets_mismatched',
  'c_block_comment',
  'colon_before_message',
  'comment_before_colon',
  'comment_between_name_and_value',
  'comment_end_of_line',
  'comment_first_line_shebang',
  'comment_no_space_after_value',
  'comment_swallows_brace',
  'cpp_line_comment',
  'cr_only_line_endings',
  'crlf_line_endings',
  'curly_quotes',
  'digit_separator_underscore',
  'double_colon',
  'double_separator',
  'empty_document',
  'empty_message_body',
  'empty_string_value',
  'equals_instead_of_colon',
  'escape_invalid',
  'escape_sequences_valid',
  'extra_closing_brace',
  'float_f_suffix',
  'hash_inside_string',
  'invalid_utf8_bytes_in_string',
  'item_missing_braces',
  'json_style_document',
  'list_empty',
  'list_of_messages',
  'list_syntax_repeated_scalar',
  'list_syntax_single_element',
  'list_trailing_comma',
  'list_without_colon_scalar',
  'minus_space_number',
  'mismatched_quotes',
  'missing_closing_brace_end',
  'missing_closing_brace_inner',
  'missing_colon_scalar',
  'missing_opening_brace',
  'missing_value',
  'newline_inside_string',
  'non_breaking_space_indent',
  'nul_byte',
  'one_line_document',
  'only_comments',
  'plus_sign_number',
  'separator_after_message',
  'separator_before_first_field',
  'separator_between_name_and_value',
  'separators_everywhere',
  'string_concat_adjacent',
  'swap_quote_style',
  'tab_indentation',
  'trailing_comma_scalar',
  'trailing_garbage',
  'trailing_semicolon_scalar',
  'unopened_string',
  'unterminated_string',
  'utf8_bom',
  'utf8_in_string',
  'whitespace_removed_around_colon',
  'windows_backslash_path',
  'windows_path_escaped_ok',
  'yaml_style_item',
]);

/** Where Python names a schema error before the parser's own error (a brace lost mid-file). */
const PYTHON_REPORTS_EARLIER = new Set(['missing_closing_brace_inner', 'comment_swallows_brace']);

function diagnose(bytes: Uint8Array): { text: string; diagnostics: TextFormatDiagnostic[] } {
  const decoded = decodeUtf8(bytes);
  return {
    text: decoded.text,
    diagnostics: [...decoded.diagnostics, ...parse(decoded.text).diagnostics],
  };
}

describe('corpus: mutants', () => {
  const all = mutants();

  it('has the mutants', () => {
    assert.ok(all.length >= 400, `only ${all.length} mutants`);
    for (const kind of SYNTACTIC_KINDS)
      assert.ok(
        all.some((m) => m.kind === kind),
        `no mutant of kind ${kind}`,
      );
  });

  it('never reports an error on a mutant that the API accepts', () => {
    for (const m of all) {
      if (!m.pyValid) continue;
      const errors = diagnose(m.bytes).diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(errors, [], `${m.id} ${m.kind} (${m.detail})`);
    }
  });

  it('agrees with the API on every syntactic mutant, on the line it names', () => {
    let checked = 0;
    for (const m of all) {
      if (!SYNTACTIC_KINDS.has(m.kind)) continue;
      checked++;
      const { text, diagnostics } = diagnose(m.bytes);
      const errors = diagnostics.filter((d) => d.severity === 'error');
      const label = `${m.id} ${m.kind} (${m.detail})`;
      assert.equal(errors.length > 0, !m.pyValid, `${label}: ${errors[0]?.message ?? 'no error'}`);
      if (!m.pyValid && !m.protocValid && m.kind !== 'invalid_utf8_bytes_in_string') {
        assert.ok(
          errors.every((e) => e.python === 'rejects'),
          label,
        );
      }
      if (m.pyValid && !m.protocValid)
        assert.ok(
          diagnostics.some((d) => d.severity === 'warning' && d.protoc === 'rejects'),
          `${label}: protoc rejects it, so at least a warning is due`,
        );
      const line = /^error: (\d+):/.exec(m.pyVerdict)?.[1];
      if (!m.pyValid && line && !PYTHON_REPORTS_EARLIER.has(m.kind)) {
        const index = new LineIndex(text);
        assert.equal(index.positionAt(errors[0]?.offset ?? 0).line + 1, Number(line), label);
      }
    }
    assert.ok(checked >= 200, `only ${checked} syntactic mutants`);
  });
});
