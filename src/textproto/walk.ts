// Traversals over the tree, all iterative so that a 10,000-deep document walks as safely as it
// parses: pre-order visiting, the node at an offset, and a field's path from the root.

import type { DocumentNode, FieldNode, ListElement, Node } from './ast';

/** Direct children in source order. */
export function childrenOf(node: Node): Node[] {
  switch (node.kind) {
    case 'document':
    case 'message':
      return node.fields;
    case 'field':
      return node.value ? [node.value] : [];
    case 'list':
      return node.elements;
    case 'scalar':
      return [];
  }
}

/**
 * Visits every node in pre-order (source order). Return `false` from `visit` to skip a node's
 * children.
 */
export function forEachNode(root: Node, visit: (node: Node) => boolean | void): void {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    if (visit(node) === false) continue;
    const children = childrenOf(node);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Node);
  }
}

/** The innermost node whose range contains `offset` (end inclusive, so a cursor just after a
 *  token still finds it). */
export function nodeAt(doc: DocumentNode, offset: number): Node {
  let node: Node = doc;
  for (;;) {
    const children = childrenOf(node);
    const child = findContaining(children, offset);
    if (!child) return node;
    node = child;
  }
}

function findContaining(children: Node[], offset: number): Node | undefined {
  // Children are sorted and disjoint: binary search for the last one starting at or before offset.
  let lo = 0;
  let hi = children.length - 1;
  let found: Node | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const child = children[mid] as Node;
    if (child.offset <= offset) {
      found = child;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found && offset <= found.offset + found.length ? found : undefined;
}

/** The field that holds `node` (the node itself for a field); undefined at the top. */
export function enclosingField(node: Node): FieldNode | undefined {
  let current: Node | undefined = node;
  while (current && current.kind !== 'field') current = current.parent;
  return current;
}

/** Field names from the document down to `field`: `['model', 'ssd', 'num_classes']`. */
export function fieldPath(field: FieldNode): string[] {
  const names: string[] = [];
  let current: Node | undefined = field;
  while (current) {
    if (current.kind === 'field') names.push(current.name.text);
    current = current.parent;
  }
  return names.reverse();
}

/**
 * Every field reached by following `path` (`['train_input_reader', 'label_map_path']`) through
 * messages and lists of messages; repeated occurrences all count.
 */
export function findFields(doc: DocumentNode, path: readonly string[]): FieldNode[] {
  let containers: { fields: FieldNode[] }[] = [doc];
  let found: FieldNode[] = [];
  for (let depth = 0; depth < path.length; depth++) {
    found = [];
    for (const container of containers)
      for (const field of container.fields) if (field.name.text === path[depth]) found.push(field);
    containers = [];
    for (const field of found) {
      const value = field.value;
      if (value?.kind === 'message') containers.push(value);
      else if (value?.kind === 'list')
        for (const element of value.elements as ListElement[])
          if (element.kind === 'message') containers.push(element);
    }
  }
  return path.length === 0 ? [] : found;
}
