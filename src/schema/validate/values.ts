// Reading the values the walk typed (`ScalarValues`) back by field, for the rules that follow it.

import type {
  Container,
  FieldNode,
  MessageNode,
  ScalarNode,
  ScalarTypedValue,
} from '../../textproto';
import type { ScalarValues } from './schemaChecks';

/** The fields of `container` called `name`, in order. */
export function fieldsNamed(container: Container, name: string): FieldNode[] {
  return container.fields.filter((f) => f.name.text === name);
}

/** The last occurrence wins, as in Python's Merge. */
export function lastField(container: Container, name: string): FieldNode | undefined {
  for (let i = container.fields.length - 1; i >= 0; i--) {
    const f = container.fields[i] as FieldNode;
    if (f.name.text === name) return f;
  }
  return undefined;
}

export function messageValue(field: FieldNode | undefined): MessageNode | undefined {
  return field?.value?.kind === 'message' ? field.value : undefined;
}

/** Every message given to `name` in `container` (repeated fields and lists included). */
export function messagesNamed(container: Container, name: string): MessageNode[] {
  const out: MessageNode[] = [];
  for (const f of fieldsNamed(container, name)) {
    const v = f.value;
    if (v?.kind === 'message') out.push(v);
    else if (v?.kind === 'list') for (const e of v.elements) if (e.kind === 'message') out.push(e);
  }
  return out;
}

/** Every scalar given to `name` in `container` with its typed value (unreadable ones left out). */
export function scalarsNamed(
  container: Container,
  name: string,
  values: ScalarValues,
): { node: ScalarNode; value: ScalarTypedValue }[] {
  const out: { node: ScalarNode; value: ScalarTypedValue }[] = [];
  for (const f of fieldsNamed(container, name)) {
    const v = f.value;
    const scalars = v?.kind === 'scalar' ? [v] : v?.kind === 'list' ? v.elements : [];
    for (const s of scalars) {
      if (s.kind !== 'scalar') continue;
      const value = values.get(s);
      if (value) out.push({ node: s, value });
    }
  }
  return out;
}

export function lastScalar(
  container: Container,
  name: string,
  values: ScalarValues,
): { node: ScalarNode; value: ScalarTypedValue } | undefined {
  // Backwards over the fields, without building lists: called for every label map item.
  for (let i = container.fields.length - 1; i >= 0; i--) {
    const f = container.fields[i] as FieldNode;
    if (f.name.text !== name) continue;
    const v = f.value;
    if (v?.kind === 'scalar') {
      const value = values.get(v);
      if (value) return { node: v, value };
    } else if (v?.kind === 'list')
      for (let j = v.elements.length - 1; j >= 0; j--) {
        const e = v.elements[j];
        const value = e?.kind === 'scalar' ? values.get(e) : undefined;
        if (e?.kind === 'scalar' && value) return { node: e, value };
      }
  }
  return undefined;
}

export function asNumber(value: ScalarTypedValue | undefined): number | undefined {
  if (!value) return undefined;
  if (value.kind === 'integer') return Number(value.value);
  if (value.kind === 'float' || value.kind === 'enumNumber') return value.value;
  return undefined;
}

export function asString(value: ScalarTypedValue | undefined): string | undefined {
  return value?.kind === 'string' ? value.value : undefined;
}
