// The error-tolerant text-format parser. It never throws and never recurses: open messages and
// lists live on an explicit stack, so a 10,000-deep nesting costs heap, not call stack, and every
// token is looked at a bounded number of times (linear time). After an error it skips to the next
// thing that looks like a field (`name:`, `name {`) or a closing brace and carries on; further
// syntax errors are held back until a field parses cleanly again, so one mistake gives one error.

import type {
  Comment,
  CommentSlots,
  Container,
  DocumentNode,
  FieldName,
  FieldNode,
  ListElement,
  ListNode,
  MessageNode,
  Range,
  ScalarNode,
  StringPart,
} from './ast';
import {
  bothReject,
  diagnostic,
  protocOnlyRejects,
  type RelatedRange,
  type TextFormatCode,
  type TextFormatDiagnostic,
} from './diagnostics';
import type { Token } from './lexer';
import { isAsciiWhitespace, isLineBreak } from './characters';
import { LineIndex } from './lineIndex';
import { describeToken, explainUnexpected } from './parserMessages';
import { numberValue, stringValue } from './scalarValue';
import { NO_COMMENTS, TokenStream } from './tokenStream';

interface BodyFrame {
  kind: 'body';
  node: Container;
  /** The field whose value this message is; undefined for the document and list elements. */
  field: FieldNode | undefined;
  last: FieldNode | undefined;
}

interface ListFrame {
  kind: 'list';
  node: ListNode;
  field: FieldNode;
  expectElement: boolean;
  last: ListElement | undefined;
  lastComma: Range | undefined;
}

type Frame = BodyFrame | ListFrame;

const CLOSERS: Record<string, string> = { '{': '}', '<': '>' };

/** Unclosed messages at the end of a file reported one by one; beyond, as one error. */
const MAX_UNCLOSED_REPORTED = 3;

function range(token: Token): Range {
  return { offset: token.offset, length: token.length };
}

function isPunct(token: Token, text: string): boolean {
  return token.kind === 'punct' && token.text === text;
}

function startsScalar(token: Token): boolean {
  return (
    token.kind === 'string' ||
    token.kind === 'number' ||
    token.kind === 'identifier' ||
    isPunct(token, '-') ||
    isPunct(token, '+')
  );
}

/** Stands in for a field's name for the moment between creating the field and reading it. */
const PENDING_NAME: FieldName = { text: '', form: 'identifier', offset: 0, length: 0 };

function openedHere(open: Range): RelatedRange {
  return { offset: open.offset, length: open.length, message: 'opened here' };
}

function emptySlots(): CommentSlots {
  return {
    leadingComments: NO_COMMENTS,
    innerComments: NO_COMMENTS,
    trailingComment: undefined,
    blankLineBefore: false,
  };
}

/** Non-string scalars share one empty parts list. */
const NO_PARTS: readonly StringPart[] = Object.freeze([]);

function concat(a: readonly Comment[], b: readonly Comment[]): readonly Comment[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return [...a, ...b];
}

/** Parses text-format `text` into a document; problems are in `document.diagnostics`. */
export function parse(text: string): DocumentNode {
  return new Parser(text).run();
}

class Parser {
  private readonly tokens: TokenStream;
  private readonly errors: TextFormatDiagnostic[] = [];
  private readonly doc: DocumentNode;
  private readonly stack: Frame[] = [];
  /** Set after a syntax error; cleared when a field's head (name, `:`, value start) parses
   *  without one. */
  private recovering = false;
  /** Syntax errors seen, including those held back while recovering. */
  private errorsSeen = 0;

  constructor(private readonly text: string) {
    this.tokens = new TokenStream(text);
    this.doc = {
      kind: 'document',
      parent: undefined,
      offset: 0,
      length: text.length,
      fields: [],
      danglingComments: NO_COMMENTS,
      comments: this.tokens.comments,
      diagnostics: [],
      text,
    };
  }

  run(): DocumentNode {
    this.stack.push({ kind: 'body', node: this.doc, field: undefined, last: undefined });
    for (;;) {
      const frame = this.stack[this.stack.length - 1];
      if (frame === undefined) break;
      if (frame.kind === 'body') {
        if (this.stepBody(frame)) break;
      } else this.stepList(frame);
    }
    const all = [...this.tokens.lexer.problems, ...this.errors];
    all.sort((a, b) => a.offset - b.offset);
    this.doc.diagnostics = all;
    return this.doc;
  }

  private get tok(): Token {
    return this.tokens.current;
  }

  // ---- errors -------------------------------------------------------------------------------

  /** A syntax error, held back while recovering from an earlier one. */
  private error(code: TextFormatCode, message: string, at: Range, related?: RelatedRange[]): void {
    this.errorsSeen++;
    if (this.recovering) return;
    this.errors.push(bothReject(code, message, at.offset, at.length, related));
    this.recovering = true;
  }

  /** A token the lexer already complained about: no second error, but recover from it. */
  private alreadyReported(): void {
    this.errorsSeen++;
    this.recovering = true;
  }

  /** Where to point when the problem is "nothing more came": the last token of the file. */
  private endRange(): Range {
    const last = this.tokens.previous;
    return last ? range(last) : { offset: this.text.length, length: 0 };
  }

  // ---- message bodies -----------------------------------------------------------------------

  /** One step inside a message body or the document; true when the document is complete. */
  private stepBody(frame: BodyFrame): boolean {
    const t = this.tok;
    if (t.kind === 'eof') {
      this.flushDangling(frame.node, frame.last);
      if (frame.node.kind === 'document') return true;
      const message = frame.node;
      const name = frame.field
        ? `\`${frame.field.name.text} ${message.open.char}\``
        : 'this message';
      // Reported even while recovering: it is a separate problem and says which brace is open.
      // A few unclosed messages are reported one by one; more (deep nesting cut off) as one
      // error on the innermost that counts the rest and points at the outermost.
      if (!this.unclosedReported) {
        const unclosed = this.stack.filter(
          (f) => f.kind === 'body' && f.node.kind !== 'document',
        ) as BodyFrame[];
        const outermost = unclosed[0]?.node as MessageNode | undefined;
        const folded = unclosed.length > MAX_UNCLOSED_REPORTED;
        if (folded) this.unclosedReported = true;
        this.errors.push(
          bothReject(
            'unclosed-message',
            `Missing \`${CLOSERS[message.open.char] ?? '}'}\` to close ${name}: the file ends inside it${folded ? `, and inside ${(unclosed.length - 1).toLocaleString('en-US')} more messages around it` : ''}.`,
            this.endRange().offset,
            this.endRange().length,
            [
              openedHere(message.open),
              ...(folded && outermost
                ? [
                    {
                      ...openedHere(outermost.open),
                      message: 'the outermost unclosed one opened here',
                    },
                  ]
                : []),
              ...(this.misindentedClose
                ? [this.misindentedClose]
                : this.likelyMissingClose(message, frame.field)),
            ],
          ),
        );
      }
      this.closeMessage(frame, undefined);
      return false;
    }
    if (isPunct(t, '}') || isPunct(t, '>')) {
      if (frame.node.kind === 'document') {
        this.error(
          'unmatched-close',
          `Unexpected \`${t.text}\`: there is no open message to close (an extra brace, or one opened too few).`,
          t,
        );
        this.tokens.advance();
        return false;
      }
      const message = frame.node;
      const expected = CLOSERS[message.open.char] ?? '}';
      if (t.text !== expected)
        this.error(
          'mismatched-close',
          `\`${t.text}\` closes a message opened with \`${message.open.char}\`: use \`${expected}\`.`,
          t,
          [openedHere(message.open)],
        );
      this.flushDangling(message, frame.last);
      this.tokens.advance();
      this.closeMessage(frame, range(t));
      return false;
    }
    if (t.kind === 'identifier' || t.kind === 'number' || isPunct(t, '[')) {
      this.parseField(frame);
      return false;
    }
    if (!t.hasProblem) {
      const prev = this.tokens.previous;
      const after =
        frame.last && prev && !t.newlineBefore && prev.offset >= frame.last.offset
          ? frame.last.name.text
          : undefined;
      const atStart = frame.node.kind === 'document' && prev === undefined;
      const explained = explainUnexpected(t, this.tokens.peek(), atStart, after);
      this.error(explained.code, explained.message, t);
    } else this.alreadyReported();
    this.skipToRecoveryPoint(false);
    return false;
  }

  /**
   * Where the `}` of an unclosed message was probably meant to go: the first field inside it
   * that is indented no deeper than the message's own name. The Object Detection API reports
   * that field (as unknown in the message), so pointing there matches its verdict's line.
   */
  private likelyMissingClose(message: MessageNode, owner: FieldNode | undefined): RelatedRange[] {
    if (!owner) return [];
    const ownerColumn = this.column(owner.offset);
    for (const child of message.fields) {
      if (child.offset < message.open.offset) continue;
      if (
        this.column(child.offset) <= ownerColumn &&
        this.lineBreakBetween(message.open.offset, child.offset)
      )
        return [
          {
            offset: child.name.offset,
            length: child.name.length,
            message: `the closing \`}\` is probably missing before this field (indented like \`${owner.name.text}\`)`,
          },
        ];
    }
    return [];
  }

  // Lines and columns come from one index built on first use (a parse without a brace problem
  // never builds it). Scanning back to the line's start for each `}` made a one-line document
  // (what Python protobuf prints, or deep nesting) quadratic in its length.
  private lines: LineIndex | undefined;
  /** Per line, the offset of its first character that is not whitespace (its end if none). */
  private lineContentStarts: Int32Array | undefined;

  private lineIndex(): LineIndex {
    return (this.lines ??= new LineIndex(this.text));
  }

  private column(offset: number): number {
    return this.lineIndex().positionAt(offset).character;
  }

  private lineBreakBetween(from: number, to: number): boolean {
    const lines = this.lineIndex();
    return lines.positionAt(from).line !== lines.positionAt(to).line;
  }

  /** Set once the unclosed messages at the end of the file were reported together. */
  private unclosedReported = false;

  /** The first `}` indented unlike the field it closes: where a lost brace shows itself. */
  private misindentedClose: RelatedRange | undefined;

  private noteIndentation(close: Range, owner: FieldNode): void {
    if (this.misindentedClose) return;
    const closeColumn = this.column(close.offset);
    const ownerColumn = this.column(owner.offset);
    if (
      closeColumn !== ownerColumn &&
      this.startsLine(close.offset) &&
      this.startsLine(owner.offset)
    )
      this.misindentedClose = {
        offset: close.offset,
        length: close.length,
        message: `this \`}\` closes \`${owner.name.text}\` but is indented differently: a brace is probably missing or extra above it`,
      };
  }

  /** Only whitespace precedes `offset` on its line. */
  private startsLine(offset: number): boolean {
    const lines = this.lineIndex();
    if (!this.lineContentStarts) {
      const starts = new Int32Array(lines.lineCount).fill(-1);
      let line = 0;
      for (let i = 0; i < this.text.length; i++) {
        const c = this.text.charCodeAt(i);
        if (isLineBreak(c)) {
          if (c === 0x0d && this.text.charCodeAt(i + 1) === 0x0a) i++;
          if (starts[line] === -1) starts[line] = i;
          line++;
        } else if (starts[line] === -1 && !isWhitespace(c, this.text[i] as string))
          starts[line] = i;
      }
      if (starts[line] === -1) starts[line] = this.text.length;
      this.lineContentStarts = starts;
    }
    return offset <= (this.lineContentStarts[lines.positionAt(offset).line] as number);
  }

  private closeMessage(frame: BodyFrame, close: Range | undefined): void {
    const message = frame.node as MessageNode;
    if (close && frame.field) this.noteIndentation(close, frame.field);
    message.close = close;
    message.length = this.tokens.previousEnd - message.offset;
    this.stack.pop();
    if (frame.field) this.finishField(frame.field);
    else this.finishElement(message);
  }

  /**
   * Skips tokens after an error until something that can continue the current context: a field
   * start, a closer at this depth, or the end. Bracket groups met on the way are skipped whole.
   */
  private skipToRecoveryPoint(inList: boolean): void {
    let depth = 0;
    let first = true;
    for (;;) {
      const t = this.tok;
      if (t.kind === 'eof') return;
      if (!first && depth === 0) {
        if (isPunct(t, '}') || isPunct(t, '>')) return;
        if (inList && (isPunct(t, ']') || isPunct(t, ','))) return;
        if (this.looksLikeFieldStart(t)) return;
      }
      first = false;
      if (isPunct(t, '{') || isPunct(t, '<') || isPunct(t, '[')) depth++;
      else if ((isPunct(t, '}') || isPunct(t, '>') || isPunct(t, ']')) && depth > 0) depth--;
      this.tokens.advance();
    }
  }

  private looksLikeFieldStart(t: Token): boolean {
    if (t.kind === 'identifier') {
      const next = this.tokens.peek();
      return isPunct(next, ':') || isPunct(next, '{') || isPunct(next, '<');
    }
    return isPunct(t, '[') && t.newlineBefore;
  }

  // ---- comments -----------------------------------------------------------------------------

  /**
   * Gives the pending comments their places before a new child of `container`: a comment on the
   * line where the previous child ended trails it (or the opening brace, for the first child);
   * the rest lead the new child.
   */
  private takeLeading(
    container: Container | ListNode,
    previous: CommentSlots | Partial<CommentSlots> | undefined,
  ): readonly Comment[] {
    const pending = this.tokens.takePending();
    const first = pending[0];
    if (first && !first.ownLine) {
      if (previous && previous.trailingComment === undefined) {
        previous.trailingComment = first;
        return pending.slice(1);
      }
      if (!previous && container.kind !== 'document' && container.openComment === undefined) {
        container.openComment = first;
        return pending.slice(1);
      }
    }
    return pending;
  }

  private flushDangling(
    container: Container | ListNode,
    previous: CommentSlots | Partial<CommentSlots> | undefined,
  ): void {
    container.danglingComments = concat(
      container.danglingComments,
      this.takeLeading(container, previous),
    );
  }

  private takeInner(owner: Partial<CommentSlots>): void {
    if (this.tokens.pending.length === 0) return;
    owner.innerComments = concat(owner.innerComments ?? NO_COMMENTS, this.tokens.takePending());
  }

  // ---- fields -------------------------------------------------------------------------------

  private parseField(frame: BodyFrame): void {
    const start = this.tok;
    const field: FieldNode = {
      kind: 'field',
      parent: frame.node,
      offset: start.offset,
      length: 0,
      name: PENDING_NAME,
      colon: undefined,
      value: undefined,
      separator: undefined,
      leadingComments: NO_COMMENTS,
      innerComments: NO_COMMENTS,
      trailingComment: undefined,
      blankLineBefore: start.blankLineBefore,
    };
    field.leadingComments = this.takeLeading(frame.node, frame.last);
    frame.node.fields.push(field);
    const errorsBefore = this.errorsSeen;
    field.name = this.parseFieldName(field);

    // `:` (or a mistaken `=`)
    let t = this.tok;
    this.takeInner(field);
    if (isPunct(t, ':')) {
      field.colon = range(t);
      this.tokens.advance();
    } else if (t.kind === 'invalid' && t.text === '=') {
      this.error(
        'equals-instead-of-colon',
        `Use \`:\` between a field name and its value, not \`=\`: \`${field.name.text}: ...\`.`,
        t,
      );
      field.colon = range(t);
      this.tokens.advance();
    }
    this.takeInner(field);
    t = this.tok;

    if (isPunct(t, '{') || isPunct(t, '<')) {
      field.value = this.openMessage(field, t);
      this.headParsed(errorsBefore);
      return;
    }
    if (isPunct(t, '[')) {
      const list: ListNode = {
        kind: 'list',
        parent: field,
        offset: t.offset,
        length: 0,
        open: range(t),
        close: undefined,
        elements: [],
        openComment: undefined,
        danglingComments: NO_COMMENTS,
      };
      field.value = list;
      this.tokens.advance();
      this.stack.push({
        kind: 'list',
        node: list,
        field,
        expectElement: true,
        last: undefined,
        lastComma: undefined,
      });
      this.headParsed(errorsBefore);
      return;
    }
    if (startsScalar(t)) {
      if (this.valueIsReallyNextField(field, t)) {
        this.finishField(field);
        return;
      }
      if (!field.colon)
        this.error(
          'missing-colon',
          `Expected \`:\` between \`${field.name.text}\` and its value: \`${field.name.text}: ${t.text}\`.`,
          t,
        );
      const scalar = this.parseScalar(field, field);
      if (scalar) {
        field.value = scalar;
        if (field.name.form === 'any')
          this.error(
            'any-requires-message',
            `An Any type name \`[${field.name.text}]\` must be followed by a message \`{ ... }\`.`,
            scalar,
          );
      }
      this.headParsed(errorsBefore);
      this.finishField(field);
      return;
    }
    // Nothing that can be a value.
    if (t.hasProblem) this.alreadyReported();
    else if (t.kind === 'invalid' || isPunct(t, '/')) {
      const explained = explainUnexpected(t, this.tokens.peek(), false, undefined);
      this.error(explained.code, explained.message, t);
    } else if (isPunct(t, ':'))
      this.error('unexpected-token', `Unexpected second \`:\` after \`${field.name.text}:\`.`, t);
    else if (field.colon)
      this.error(
        'missing-value',
        `\`${field.name.text}:\` has no value: expected a value before ${describeToken(t)}.`,
        t.kind === 'eof' ? field.colon : t,
        [
          {
            offset: field.name.offset,
            length: field.name.length,
            message: 'field without a value',
          },
        ],
      );
    else
      this.error(
        'expected-message-or-colon',
        `Expected \`{\` or \`:\` after \`${field.name.text}\`, found ${describeToken(t)}.`,
        t.kind === 'eof' ? field.name : t,
      );
    const closesOrSeparates =
      t.kind === 'eof' || isPunct(t, '}') || isPunct(t, '>') || isPunct(t, ',') || isPunct(t, ';');
    if (!closesOrSeparates && !this.looksLikeFieldStart(t)) this.skipToRecoveryPoint(false);
    this.finishField(field);
  }

  /** A field's head parsed without a new error: the parser is back in step. */
  private headParsed(errorsBefore: number): void {
    if (this.errorsSeen === errorsBefore) this.recovering = false;
  }

  /**
   * `name:` then a line break and `other: ...` (or `other {`): the value was left out and the
   * identifier is the next field's name. Without the colon (`item` then `name: "x"` below), the
   * braces were left out. Either way the identifier must not be eaten as a value.
   */
  private valueIsReallyNextField(field: FieldNode, t: Token): boolean {
    if (t.kind !== 'identifier' || !t.newlineBefore) return false;
    if (!this.looksLikeFieldStart(t)) return false;
    if (field.colon)
      this.error(
        'missing-value',
        `\`${field.name.text}:\` has no value: \`${t.text}\` on the next line starts another field.`,
        t,
        [
          {
            offset: field.name.offset,
            length: field.name.length,
            message: 'field without a value',
          },
        ],
      );
    else
      this.error(
        'expected-message-or-colon',
        `Expected \`{\` after \`${field.name.text}\` (or \`:\` and a value), found the field \`${t.text}\`: are the braces of \`${field.name.text} { ... }\` missing?`,
        t,
      );
    return true;
  }

  private parseFieldName(field: FieldNode): FieldName {
    const t = this.tokens.advance();
    if (t.kind === 'identifier')
      return { text: t.text, form: 'identifier', offset: t.offset, length: t.length };
    if (t.kind === 'number') {
      this.error(
        'field-number-as-name',
        `Fields are written by name, not by number: \`${t.text}\` is not a field name.`,
        t,
      );
      return { text: t.text, form: 'number', offset: t.offset, length: t.length };
    }
    // `[` extension or Any type name: IDENT {. IDENT} [/ IDENT {. IDENT}] `]`
    let name = '';
    let form: 'extension' | 'any' = 'extension';
    let expectIdent = true;
    let ok = true;
    for (;;) {
      this.takeInner(field);
      const part = this.tok;
      if (expectIdent && part.kind === 'identifier') {
        name += part.text;
        expectIdent = false;
      } else if (!expectIdent && (isPunct(part, '.') || isPunct(part, '/'))) {
        if (isPunct(part, '/')) {
          if (form === 'any') ok = false;
          form = 'any';
        }
        name += part.text;
        expectIdent = true;
      } else break;
      this.tokens.advance();
    }
    if (expectIdent) ok = false;
    const close = this.tok;
    if (isPunct(close, ']') && ok) this.tokens.advance();
    else {
      this.error(
        'bad-bracketed-name',
        'Expected an extension name `[package.name]` or an Any type `[type.googleapis.com/package.Type]` in brackets.',
        close.kind === 'eof' ? t : close,
      );
      if (isPunct(close, ']')) this.tokens.advance();
    }
    return { text: name, form, offset: t.offset, length: this.tokens.previousEnd - t.offset };
  }

  /** The optional `,`/`;` after a field, its final length, and its place as the last child. */
  private finishField(field: FieldNode): void {
    const t = this.tok;
    if (isPunct(t, ',') || isPunct(t, ';')) {
      this.takeInner(field);
      field.separator = range(t);
      this.tokens.advance();
    }
    field.length = this.tokens.previousEnd - field.offset;
    // The frame of the field's container is on top again once its value is closed.
    const frame = this.stack[this.stack.length - 1];
    if (frame?.kind === 'body' && frame.node === field.parent) frame.last = field;
  }

  private openMessage(parent: FieldNode | ListNode, t: Token): MessageNode {
    const message: MessageNode = {
      kind: 'message',
      parent,
      offset: t.offset,
      length: 0,
      open: { offset: t.offset, length: t.length, char: t.text === '<' ? '<' : '{' },
      close: undefined,
      fields: [],
      openComment: undefined,
      danglingComments: NO_COMMENTS,
    };
    this.tokens.advance();
    this.stack.push({
      kind: 'body',
      node: message,
      field: parent.kind === 'field' ? parent : undefined,
      last: undefined,
    });
    return message;
  }

  // ---- scalars ------------------------------------------------------------------------------

  /**
   * A scalar value: adjacent strings, or an optionally signed number or identifier. Comments
   * inside it go to `comments`. Undefined (with an error) when a sign has nothing after it.
   */
  private parseScalar(
    parent: FieldNode | ListNode,
    comments: Partial<CommentSlots>,
  ): ScalarNode | undefined {
    const first = this.tok;
    let sign: ScalarNode['sign'];
    if (isPunct(first, '-') || isPunct(first, '+')) {
      this.tokens.advance();
      this.takeInner(comments);
      const after = this.tok;
      const glued = after.offset === first.offset + 1;
      sign = { offset: first.offset, length: 1, char: first.text === '+' ? '+' : '-', glued };
      if (after.kind !== 'number' && after.kind !== 'identifier') {
        this.error(
          'sign-without-number',
          `\`${first.text}\` must be followed by a number${first.text === '-' ? ' or `inf`/`nan`' : ''}.`,
          first,
        );
        return undefined;
      }
      if (!glued)
        this.errors.push(
          diagnostic(
            'sign-separated',
            `Write \`${first.text}${after.text}\` without a space: the Object Detection API (Python protobuf) cannot read a sign apart from its number.`,
            first.offset,
            after.offset + after.length - first.offset,
            'rejects',
            first.text === '+' ? 'rejects' : 'accepts',
          ),
        );
      else if (sign.char === '+')
        this.errors.push(
          protocOnlyRejects(
            'plus-sign',
            `A leading \`+\` is accepted by the Object Detection API but rejected by protoc: write \`${after.text}\`.`,
            first.offset,
            after.offset + after.length - first.offset,
          ),
        );
    }
    const t = this.tok;
    const scalar: ScalarNode = {
      kind: 'scalar',
      parent,
      offset: first.offset,
      length: 0,
      valueKind: 'identifier',
      sign,
      raw: t.text,
      parts: NO_PARTS,
      value: t.text,
    };
    if (t.kind === 'string') {
      scalar.valueKind = 'string';
      const parts: StringPart[] = [];
      for (;;) {
        const part = this.tokens.advance();
        parts.push({
          offset: part.offset,
          length: part.length,
          raw: part.text,
          quote: part.text.charCodeAt(0) === 0x27 ? "'" : '"',
        });
        if (this.tok.kind !== 'string') break;
        this.takeInner(comments);
      }
      const lastPart = parts[parts.length - 1] as StringPart;
      scalar.parts = parts;
      scalar.raw =
        parts.length === 1
          ? lastPart.raw
          : this.text.slice(t.offset, lastPart.offset + lastPart.length);
      scalar.value = stringValue(parts, this.text);
    } else {
      this.tokens.advance();
      if (t.kind === 'number') {
        scalar.valueKind = 'number';
        scalar.value = numberValue(t.text, sign?.char === '-');
      } else if (sign) scalar.value = sign.char + t.text;
    }
    scalar.length = this.tokens.previousEnd - scalar.offset;
    return scalar;
  }

  // ---- lists --------------------------------------------------------------------------------

  private stepList(frame: ListFrame): void {
    const list = frame.node;
    const t = this.tok;
    if (isPunct(t, ']')) {
      if (frame.expectElement && frame.lastComma)
        this.error(
          'list-trailing-comma',
          'A list cannot end with `,`: remove the comma before `]`.',
          frame.lastComma,
        );
      this.flushDangling(list, frame.last);
      this.tokens.advance();
      this.closeList(frame, range(t));
      return;
    }
    if (t.kind === 'eof' || (!frame.expectElement && this.endsListEarly(t))) {
      this.error(
        'unclosed-list',
        `Missing \`]\` to close the list of \`${frame.field.name.text}\`.`,
        t.kind === 'eof' ? this.endRange() : t,
        [openedHere(list.open)],
      );
      this.flushDangling(list, frame.last);
      this.closeList(frame, undefined);
      return;
    }
    if (!frame.expectElement) {
      if (isPunct(t, ',')) {
        frame.lastComma = range(t);
        frame.expectElement = true;
        this.tokens.advance();
        return;
      }
      this.error(
        'list-missing-comma',
        `Expected \`,\` or \`]\` in the list, found ${describeToken(t)}.`,
        t,
      );
      frame.expectElement = true;
      return;
    }
    // An element is expected.
    if (isPunct(t, '{') || isPunct(t, '<')) {
      const slots = emptySlots();
      slots.leadingComments = this.takeLeading(list, frame.last);
      slots.blankLineBefore = t.blankLineBefore;
      const message = this.openMessage(list, t);
      Object.assign(message, slots);
      this.addElement(frame, message);
      return;
    }
    if (startsScalar(t)) {
      const slots = emptySlots();
      slots.leadingComments = this.takeLeading(list, frame.last);
      slots.blankLineBefore = t.blankLineBefore;
      const scalar = this.parseScalar(list, slots);
      if (scalar) {
        Object.assign(scalar, slots);
        if (!frame.field.colon && list.elements.length === 0)
          this.error(
            'scalar-list-without-colon',
            `Expected \`:\` before a list of values: \`${frame.field.name.text}: [...]\`.`,
            list.open,
          );
        this.addElement(frame, scalar);
        this.finishElement(scalar);
      } else this.skipToRecoveryPoint(true);
      return;
    }
    if (t.hasProblem) this.alreadyReported();
    else
      this.error(
        'unexpected-token',
        `Expected a value or \`{\` in the list, found ${describeToken(t)}.`,
        t,
      );
    if (this.endsListEarly(t)) {
      this.flushDangling(list, frame.last);
      this.closeList(frame, undefined);
    } else this.skipToRecoveryPoint(true);
  }

  /** After an element, a field start or a closing brace means the `]` was forgotten. */
  private endsListEarly(t: Token): boolean {
    return isPunct(t, '}') || isPunct(t, '>') || (t.newlineBefore && this.looksLikeFieldStart(t));
  }

  private addElement(frame: ListFrame, element: ListElement): void {
    const list = frame.node;
    const mixed = list.elements.some((e) => e.kind !== element.kind);
    if (mixed)
      this.error(
        'list-mixed-elements',
        'A list holds either values or messages `{ ... }`, not both.',
        element.kind === 'message' ? element.open : element,
      );
    list.elements.push(element);
    frame.expectElement = false;
  }

  private finishElement(element: ListElement): void {
    const frame = this.stack[this.stack.length - 1];
    if (frame && frame.kind === 'list') {
      frame.last = element;
      frame.expectElement = false;
    }
  }

  private closeList(frame: ListFrame, close: Range | undefined): void {
    frame.node.close = close;
    frame.node.length = this.tokens.previousEnd - frame.node.offset;
    this.stack.pop();
    this.finishField(frame.field);
  }
}

/** What String.prototype.trim() removes, without a regular expression for ASCII. */
function isWhitespace(code: number, char: string): boolean {
  return isAsciiWhitespace(code) || (code > 0x7f && /\s/.test(char));
}
