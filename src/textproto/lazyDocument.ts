// A document whose tree is built on first use. Validation of a file in a shape known to parse
// cleanly (a plain label map, see schema/validate/labelMapFast.ts) needs its diagnostics, not its
// nodes; hover, completion and the printer still get the full tree, built by `parse` the moment
// one of `fields`, `comments` or `danglingComments` is read. The tree is exactly `parse(text)`'s,
// its top-level fields re-parented to this document object.

import type { DocumentNode } from './ast';
import { parse } from './parser';

const LAZY_KEYS = ['fields', 'comments', 'danglingComments'] as const;

/**
 * A document for `text` whose tree is parsed on first access. Only for text the caller knows
 * `parse` reports no problem in: `diagnostics` is empty without parsing.
 */
export function lazyDocument(text: string): DocumentNode {
  const doc = {
    kind: 'document',
    parent: undefined,
    offset: 0,
    length: text.length,
    diagnostics: [],
    text,
  } as unknown as DocumentNode;
  let built = false;
  const build = (): void => {
    if (built) return;
    built = true;
    const full = parse(text);
    for (const field of full.fields) field.parent = doc;
    for (const key of LAZY_KEYS) define(doc, key, full[key]);
  };
  for (const key of LAZY_KEYS)
    Object.defineProperty(doc, key, {
      configurable: true,
      enumerable: true,
      get(): unknown {
        build();
        return doc[key];
      },
      set(value: unknown): void {
        build();
        define(doc, key, value);
      },
    });
  return doc;
}

function define(doc: DocumentNode, key: string, value: unknown): void {
  Object.defineProperty(doc, key, { value, writable: true, enumerable: true, configurable: true });
}
