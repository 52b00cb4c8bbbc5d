// The LSP encoding of semantic tokens: relative runs, the deprecated bit, and a token written over
// lines (a bracketed extension name) sent a line at a time, with `\r\n` line ends.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SemanticToken } from '../../../src/schema/language';
import { encodeSemanticTokens, SEMANTIC_TOKENS_LEGEND } from '../../../src/server/semanticTokens';
import { LineIndex } from '../../../src/textproto';

describe('semantic tokens encoding', () => {
  it('sends relative runs and splits a token that crosses lines', () => {
    const text = 'a: 1\r\n[x.\r\n  y.z]: 2\r\nb: 3';
    const token = (needle: string, kind: SemanticToken['kind'], deprecated = false) => ({
      offset: text.indexOf(needle),
      length: needle.length,
      kind,
      deprecated,
    });
    const { data } = encodeSemanticTokens(
      [
        token('a', 'scalarField'),
        token('1', 'number'),
        token('[x.\r\n  y.z]', 'scalarField', true),
        token('2', 'number'),
        token('b', 'scalarField'),
      ],
      new LineIndex(text),
    );
    const property = SEMANTIC_TOKENS_LEGEND.tokenTypes.indexOf('property');
    const number = SEMANTIC_TOKENS_LEGEND.tokenTypes.indexOf('number');
    assert.deepEqual(
      data,
      [
        [0, 0, 1, property, 0],
        [0, 3, 1, number, 0],
        [1, 0, 3, property, 1],
        [1, 0, 6, property, 1],
        [0, 8, 1, number, 0],
        [1, 0, 1, property, 0],
      ].flat(),
    );
  });
});
