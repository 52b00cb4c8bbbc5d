// What every language feature reads: the text, its tree, the schema and the root message the
// document holds, and (for path fields) the project around it. Built from a validation result
// when there is one, so hover, completion and quick fixes bind fields exactly as diagnostics do.

import {
  parse,
  type Container,
  type DocumentNode,
  type MessageNode,
  type Node,
} from '../../textproto';
import { formatDefault } from '../values';
import { shortName, type FieldDef, type MessageType, type Schema } from '../model';
import {
  bindingAt,
  defaultSchema,
  detectDocumentType,
  type FieldBinding,
  type ProjectHost,
  type ValidationResult,
} from '../validate';

export interface LanguageContext {
  readonly text: string;
  readonly doc: DocumentNode;
  readonly schema: Schema;
  /** The message the document holds; undefined for syntax-only files. */
  readonly root: MessageType | undefined;
  /** Absolute path of the file, for path fields. */
  readonly path?: string;
  readonly host?: ProjectHost;
}

export interface ContextOptions {
  readonly schema?: Schema;
  readonly path?: string;
  readonly host?: ProjectHost;
  /** A validation result of exactly this text, to reuse its tree and document type. */
  readonly result?: ValidationResult;
}

export function languageContext(text: string, options: ContextOptions = {}): LanguageContext {
  const schema = options.schema ?? defaultSchema();
  const result = options.result && options.result.doc.text === text ? options.result : undefined;
  const doc = result?.doc ?? parse(text);
  const root = result ? result.type.root : detectDocumentType(schema, doc, options.path).root;
  return {
    text,
    doc,
    schema,
    root,
    ...(options.path ? { path: options.path } : {}),
    ...(options.host ? { host: options.host } : {}),
  };
}

/** The message (or the document) whose braces hold `offset`: where a new field would go. */
export function containerAt(node: Node, offset: number): Container {
  let current: Node | undefined = node;
  while (current) {
    if (current.kind === 'document') return current;
    if (
      current.kind === 'message' &&
      current.open.offset < offset &&
      (!current.close || offset <= current.close.offset)
    )
      return current;
    current = current.parent;
  }
  throw new Error('unreachable: every node has the document above it');
}

/** The schema type of a container, through the same binding as the validator. */
export function containerType(ctx: LanguageContext, container: Container): MessageType | undefined {
  if (!ctx.root) return undefined;
  if (container.kind === 'document') return ctx.root;
  return bindingAt(ctx.schema, ctx.root, container as MessageNode).messageType;
}

export function bindingOf(ctx: LanguageContext, node: Node): FieldBinding | undefined {
  if (!ctx.root) return undefined;
  return bindingAt(ctx.schema, ctx.root, node).binding;
}

/** `int32`, `repeated string`, `Ssd`, `enum Activation`. */
export function typeLabel(def: FieldDef): string {
  const base =
    def.type.kind === 'scalar'
      ? def.type.scalar
      : def.type.kind === 'enum'
        ? `enum ${shortName(def.type.typeName)}`
        : shortName(def.type.typeName);
  return def.label === 'repeated' ? `repeated ${base}` : base;
}

/** The declared default as written in a file, or undefined. */
export function defaultLabel(def: FieldDef): string | undefined {
  if (def.default === undefined) return undefined;
  return formatDefault(def.default, def.type);
}

/** One markdown paragraph about a field: type, default, oneof, deprecation, doc. */
export function fieldMarkdown(schema: Schema, parent: MessageType, def: FieldDef): string {
  const facts = [`\`${typeLabel(def)}\``];
  const dflt = defaultLabel(def);
  if (dflt !== undefined) facts.push(`default \`${dflt}\``);
  if (def.label === 'required') facts.push('required');
  const lines = [facts.join(' · ')];
  if (def.deprecated) lines.push('**Deprecated.**');
  if (def.oneof) {
    const others = schema.oneofSiblings(parent, def).map((f) => `\`${f.name}\``);
    lines.push(
      `One of \`${def.oneof}\`${others.length ? `: set this or ${others.join(', ')}, not both` : ''}.`,
    );
  }
  if (def.doc) lines.push(def.doc);
  return lines.join('\n\n');
}
