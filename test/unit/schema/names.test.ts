// Protobuf name scoping, as protoc applies it.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { joinName, parentScope, resolveTypeName } from '../../../src/schema';

const declared = new Set([
  'a.b.Outer',
  'a.b.Outer.Inner',
  'a.b.Inner',
  'a.Top',
  'Root',
  'a.b.Outer.Top',
]);
const exists = (name: string) => declared.has(name);

describe('resolveTypeName', () => {
  it('prefers the innermost scope', () => {
    assert.equal(resolveTypeName('Inner', 'a.b.Outer', exists), 'a.b.Outer.Inner');
    assert.equal(resolveTypeName('Inner', 'a.b', exists), 'a.b.Inner');
    assert.equal(resolveTypeName('Top', 'a.b.Outer', exists), 'a.b.Outer.Top');
    assert.equal(resolveTypeName('Top', 'a.b', exists), 'a.Top');
    assert.equal(resolveTypeName('Root', 'a.b.Outer', exists), 'Root');
  });

  it('takes a leading dot as absolute', () => {
    assert.equal(resolveTypeName('.a.Top', 'a.b.Outer', exists), 'a.Top');
    assert.equal(resolveTypeName('.Top', 'a.b.Outer', exists), undefined);
  });

  it('resolves dotted names, stopping at the first scope holding their first part', () => {
    assert.equal(resolveTypeName('Outer.Inner', 'a.b', exists), 'a.b.Outer.Inner');
    assert.equal(resolveTypeName('b.Outer', 'a.b.Outer', exists), 'a.b.Outer');
    // 'Outer' is found in a.b; 'Outer.Missing' must then resolve there, not further out.
    assert.equal(resolveTypeName('Outer.Missing', 'a.b.Outer', exists), undefined);
  });

  it('builds and splits scopes', () => {
    assert.equal(joinName('', 'X'), 'X');
    assert.equal(joinName('a.b', 'X'), 'a.b.X');
    assert.equal(parentScope('a.b.X'), 'a.b');
    assert.equal(parentScope('X'), '');
  });
});
