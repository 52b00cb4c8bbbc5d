// The one walker over a parsed document with the schema beside it. Diagnostics, hover and
// completion all bind fields to their definitions through `bindField` here, so they never
// disagree about what a field is. The walk is iterative (a 10,000-deep document costs heap, not
// call stack) and calls a pluggable visitor.

import type {
  Container,
  DocumentNode,
  FieldNode,
  ListElement,
  Node,
  ScalarNode,
} from '../../textproto';
import type { FieldDef, MessageType, Schema } from '../model';

/** A field of the document bound to its definition. */
export interface FieldBinding {
  readonly node: FieldNode;
  /** The message the field is written in. */
  readonly parentType: MessageType;
  /** Undefined when the message has no such field (or the name is an extension or number). */
  readonly def: FieldDef | undefined;
  /** For message-typed fields: the message its value holds. */
  readonly valueType: MessageType | undefined;
}

export interface SchemaVisitor {
  /** Before the fields of a message whose type is known (the document included). */
  enterMessage?(container: Container, type: MessageType): void;
  /** After all fields of that message (for duplicate, oneof and required checks). */
  leaveMessage?(container: Container, type: MessageType): void;
  /** Every field of a known message. Return false to skip its value. */
  field?(binding: FieldBinding): boolean | void;
  /** Every scalar given to a scalar or enum field, list elements included. */
  scalar?(scalar: ScalarNode, binding: FieldBinding): void;
  /** Every message given to a message field, list elements included. Return false to skip it. */
  message?(container: Container, binding: FieldBinding): boolean | void;
}

/** Binds `field` (written inside a message of type `parentType`) to its definition. */
export function bindField(schema: Schema, parentType: MessageType, field: FieldNode): FieldBinding {
  const def =
    field.name.form === 'identifier' ? schema.field(parentType, field.name.text) : undefined;
  const valueType = def ? schema.messageOf(def) : undefined;
  return { node: field, parentType, def, valueType };
}

type Step =
  | { kind: 'enter'; container: Container; type: MessageType }
  | { kind: 'leave'; container: Container; type: MessageType };

/**
 * Walks `doc` as a message of type `root`, calling `visitor` in source order. Fields the schema
 * does not know are reported to `field` with no definition, and their values are not entered.
 */
export function walkSchema(
  doc: DocumentNode,
  schema: Schema,
  root: MessageType,
  visitor: SchemaVisitor,
): void {
  const stack: Step[] = [{ kind: 'enter', container: doc, type: root }];
  while (stack.length > 0) {
    const step = stack.pop() as Step;
    if (step.kind === 'leave') {
      visitor.leaveMessage?.(step.container, step.type);
      continue;
    }
    const { container, type } = step;
    visitor.enterMessage?.(container, type);
    stack.push({ kind: 'leave', container, type });
    // Children are pushed in reverse so that they are entered in source order after this
    // message's own fields have all been visited (visitors see a message's fields together).
    const nested: Step[] = [];
    for (const field of container.fields) {
      const binding = bindField(schema, type, field);
      if (visitor.field?.(binding) === false) continue;
      if (!binding.def) continue;
      const value = field.value;
      if (!value) continue;
      const elements: readonly (ListElement | undefined)[] =
        value.kind === 'list' ? value.elements : [value];
      for (const element of elements) {
        if (!element) continue;
        if (element.kind === 'scalar') {
          if (binding.def.type.kind !== 'message') visitor.scalar?.(element, binding);
        } else if (binding.valueType) {
          if (visitor.message?.(element, binding) === false) continue;
          nested.push({ kind: 'enter', container: element, type: binding.valueType });
        }
      }
    }
    for (let i = nested.length - 1; i >= 0; i--) stack.push(nested[i] as Step);
  }
}

/** The chain of containers from the document down to `node` (the node's own message included). */
function containersTo(node: Node): FieldNode[] {
  const fields: FieldNode[] = [];
  let current: Node | undefined = node;
  while (current) {
    if (current.kind === 'field') fields.push(current);
    current = current.parent;
  }
  return fields.reverse();
}

/**
 * The binding of the innermost field around `node` and the message type that node sits in:
 * what hover and completion ask at a position. Uses the same binding as the walk.
 */
export function bindingAt(
  schema: Schema,
  root: MessageType,
  node: Node,
): { binding: FieldBinding | undefined; messageType: MessageType | undefined } {
  let type: MessageType | undefined = root;
  let binding: FieldBinding | undefined;
  for (const field of containersTo(node)) {
    if (!type) return { binding: undefined, messageType: undefined };
    binding = bindField(schema, type, field);
    type = binding.valueType;
  }
  // A node inside a field's message value sits in that message; a field node itself sits in
  // its parent's message.
  if (node.kind === 'field' || node.kind === 'scalar' || node.kind === 'list')
    return { binding, messageType: binding?.parentType ?? root };
  return { binding, messageType: node.kind === 'document' ? root : type };
}
