// The canonical layout: two-space indent, one field per line, `name: value`, `name {` ... `}`,
// `{}` instead of `<>`, no `:` before a message, no `,`/`;` after fields. Values are written
// exactly as in the source (numbers, quotes and escapes untouched) so the printed file encodes to
// the same bytes. Every comment survives, in order; single blank lines between fields survive.
// Iterative (an explicit stack), like the parser, so deep nesting cannot overflow the stack.

import type {
  Comment,
  CommentSlots,
  DocumentNode,
  FieldNode,
  ListElement,
  ListNode,
  MessageNode,
  ScalarNode,
} from './ast';

export interface PrintOptions {
  /** Line break to write; default `\n`. */
  eol?: '\n' | '\r\n';
}

interface ContainerTask {
  kind: 'container';
  node: DocumentNode | MessageNode | ListNode;
  depth: number;
  index: number;
  /** Something was written inside this container already (blank lines only go between). */
  emitted: boolean;
}

interface LineTask {
  kind: 'line';
  text: string;
}

type Task = ContainerTask | LineTask;

const INDENT = '  ';
/** Beyond this depth lines are not indented further: indentation grows with depth squared, and a
 *  pathological 10,000-deep file would otherwise print to gigabytes. Real configs stay far below. */
const MAX_INDENT_DEPTH = 100;

function indentOf(depth: number): string {
  return INDENT.repeat(Math.min(depth, MAX_INDENT_DEPTH));
}

export function print(doc: DocumentNode, options: PrintOptions = {}): string {
  const lines: string[] = [];
  const stack: Task[] = [{ kind: 'container', node: doc, depth: 0, index: 0, emitted: false }];
  while (stack.length > 0) {
    const task = stack[stack.length - 1] as Task;
    if (task.kind === 'line') {
      lines.push(task.text);
      stack.pop();
      continue;
    }
    const children: (FieldNode | ListElement)[] =
      task.node.kind === 'list' ? task.node.elements : task.node.fields;
    if (task.index >= children.length) {
      writeComments(lines, task, task.node.danglingComments, task.depth);
      stack.pop();
      continue;
    }
    const child = children[task.index++] as FieldNode | ListElement;
    const isLast = task.index === children.length;
    writeLeading(lines, task, child, task.depth);
    const indent = indentOf(task.depth);
    const comma = task.node.kind === 'list' && !isLast ? ',' : '';
    const head = child.kind === 'field' ? indent + fieldName(child) : indent;
    const value = child.kind === 'field' ? child.value : child;
    const trailing = trailingText(child.trailingComment);
    if (value === undefined) {
      const field = child as FieldNode;
      lines.push(head + (field.colon ? ':' : '') + trailing);
    } else if (value.kind === 'scalar') {
      lines.push(
        (child.kind === 'field' ? head + ': ' : head) + scalarText(value) + comma + trailing,
      );
    } else if (value.kind === 'message') {
      const opener = child.kind === 'field' ? head + ' {' : head + '{';
      if (isBare(value)) lines.push(opener + '}' + comma + trailing);
      else {
        lines.push(opener + trailingText(value.openComment));
        stack.push({ kind: 'line', text: indent + '}' + comma + trailing });
        stack.push(containerTask(value, task.depth + 1));
      }
    } else if (isInlineList(value)) {
      lines.push(
        head +
          ': [' +
          value.elements.map((e) => scalarText(e as ScalarNode)).join(', ') +
          ']' +
          trailing,
      );
    } else {
      lines.push(head + ': [' + trailingText(value.openComment));
      stack.push({ kind: 'line', text: indent + ']' + trailing });
      stack.push(containerTask(value, task.depth + 1));
    }
  }
  if (lines.length === 0) return '';
  const eol = options.eol ?? '\n';
  return lines.join(eol) + eol;
}

function containerTask(node: MessageNode | ListNode, depth: number): ContainerTask {
  return { kind: 'container', node, depth, index: 0, emitted: false };
}

function fieldName(field: FieldNode): string {
  const name = field.name;
  return name.form === 'extension' || name.form === 'any' ? `[${name.text}]` : name.text;
}

/** The scalar as written: sign glued to its value, string parts joined by a space. */
export function scalarText(scalar: ScalarNode): string {
  if (scalar.valueKind === 'string') return scalar.parts.map((p) => p.raw).join(' ');
  return (scalar.sign ? scalar.sign.char : '') + scalar.raw;
}

function trailingText(comment: Comment | undefined): string {
  return comment ? ' ' + comment.text : '';
}

function writeComments(
  lines: string[],
  task: ContainerTask,
  comments: readonly Comment[],
  depth: number,
) {
  const indent = indentOf(depth);
  for (const comment of comments) {
    if (comment.blankLineBefore && task.emitted) lines.push('');
    lines.push(indent + comment.text);
    task.emitted = true;
  }
}

function writeLeading(
  lines: string[],
  task: ContainerTask,
  child: Partial<CommentSlots>,
  depth: number,
): void {
  writeComments(lines, task, child.leadingComments ?? [], depth);
  // Comments that sat inside the node (e.g. between name and `:`) move above it.
  const inner = (child.innerComments ?? []).map((c) => ({ ...c, blankLineBefore: false }));
  if (child.blankLineBefore && task.emitted) lines.push('');
  writeComments(lines, task, inner, depth);
  task.emitted = true;
}

function isBare(message: MessageNode): boolean {
  return (
    message.fields.length === 0 &&
    message.danglingComments.length === 0 &&
    message.openComment === undefined
  );
}

function hasComments(node: Partial<CommentSlots>): boolean {
  return (
    (node.leadingComments?.length ?? 0) > 0 ||
    (node.innerComments?.length ?? 0) > 0 ||
    node.trailingComment !== undefined
  );
}

function isInlineList(list: ListNode): boolean {
  return (
    list.openComment === undefined &&
    list.danglingComments.length === 0 &&
    list.elements.every((e) => e.kind === 'scalar' && !hasComments(e))
  );
}
