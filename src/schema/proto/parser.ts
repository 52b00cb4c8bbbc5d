// An error-tolerant parser for .proto files: syntax, package, import, option, message (nested),
// enum, oneof, map<K, V>, field options ([default], [deprecated]), extensions, reserved, and
// blocks it does not model (extend, service) skipped whole. A broken statement is reported with
// its line and column and skipped to the next `;` or its closing `}`, so one typo costs one error.

import { isScalarKind, type Label } from '../model';
import {
  MAX_FIELD_NUMBER,
  type ProtoError,
  type RawConstant,
  type RawEnum,
  type RawField,
  type RawFile,
  type RawMessage,
} from './ast';
import { tokenizeProto, type ProtoToken } from './lexer';

/** Thrown inside the parser to abandon one statement; never escapes `parseProtoFile`. */
class StatementError extends Error {
  constructor(
    readonly token: ProtoToken,
    message: string,
  ) {
    super(message);
  }
}

export function parseProtoFile(path: string, source: string): RawFile {
  return new ProtoParser(path, source).parseFile();
}

class ProtoParser {
  private readonly tokens: ProtoToken[];
  private index = 0;
  private readonly errors: ProtoError[] = [];

  constructor(
    private readonly path: string,
    source: string,
  ) {
    this.tokens = tokenizeProto(source);
    for (const t of this.tokens) if (t.problem) this.report(t, t.problem);
  }

  parseFile(): RawFile {
    let syntax: 'proto2' | 'proto3' = 'proto2';
    let pkg = '';
    const imports: RawFile['imports'] = [];
    const messages: RawMessage[] = [];
    const enums: RawEnum[] = [];
    while (this.peek().kind !== 'eof') {
      const start = this.index;
      try {
        const t = this.peek();
        if (this.acceptSymbol(';')) continue;
        if (this.acceptIdent('syntax')) {
          this.expectSymbol('=');
          const value = this.expectKind('string');
          if (value.value !== 'proto2' && value.value !== 'proto3') {
            this.report(value, `unknown syntax '${value.value}'; expected "proto2" or "proto3"`);
          } else syntax = value.value;
          this.expectSymbol(';');
        } else if (this.acceptIdent('package')) {
          pkg = this.fullIdent();
          this.expectSymbol(';');
        } else if (this.acceptIdent('import')) {
          const isPublic = this.acceptIdent('public') !== undefined;
          if (!isPublic) this.acceptIdent('weak');
          const file = this.expectKind('string');
          this.expectSymbol(';');
          imports.push({
            path: file.value ?? '',
            public: isPublic,
            line: t.line,
            column: t.column,
          });
        } else if (this.acceptIdent('option')) {
          this.optionBody();
        } else if (this.acceptIdent('message')) {
          messages.push(this.message(t));
        } else if (this.acceptIdent('enum')) {
          enums.push(this.enumBody(t));
        } else if (this.acceptIdent('extend') || this.acceptIdent('service')) {
          this.skipDeclarationBlock();
        } else {
          throw new StatementError(t, `unexpected '${t.text}' at top level`);
        }
      } catch (e) {
        this.recover(e, start);
        if (this.index === start) this.index++; // a stray '}' at top level
      }
    }
    return { path: this.path, syntax, package: pkg, imports, messages, enums, errors: this.errors };
  }

  // --- declarations ---

  private message(keyword: ProtoToken): RawMessage {
    const name = this.expectKind('ident');
    const msg = newMessage(name.text, keyword);
    this.expectSymbol('{');
    this.body(() => this.messageMember(msg));
    return msg;
  }

  private messageMember(msg: RawMessage): void {
    const t = this.peek();
    if (this.acceptSymbol(';')) return;
    if (this.acceptIdent('option')) {
      const option = this.optionBody();
      if (option.name === 'deprecated') msg.deprecated = option.value === 'true';
      if (option.name === 'map_entry') msg.mapEntry = option.value === 'true';
    } else if (this.acceptIdent('message')) msg.messages.push(this.message(t));
    else if (this.acceptIdent('enum')) msg.enums.push(this.enumBody(t));
    else if (this.acceptIdent('oneof')) this.oneof(msg);
    else if (this.acceptIdent('extensions')) {
      msg.extensionRanges.push(...this.ranges());
      if (this.acceptSymbol('[')) this.skipUntilSymbol(']');
      this.expectSymbol(';');
    } else if (this.acceptIdent('reserved')) this.reserved(msg);
    else if (this.acceptIdent('extend')) this.skipDeclarationBlock();
    else if (t.kind === 'ident' && t.text === 'map' && this.peek(1).text === '<') {
      this.mapField(msg, undefined);
    } else {
      const field = this.field(undefined);
      if (field) msg.fields.push(field);
    }
  }

  private oneof(msg: RawMessage): void {
    const name = this.expectKind('ident').text;
    const group = { name, fields: [] as string[] };
    msg.oneofs.push(group);
    this.expectSymbol('{');
    this.body(() => {
      if (this.acceptSymbol(';')) return;
      if (this.acceptIdent('option')) {
        this.optionBody();
        return;
      }
      const field = this.field(name);
      if (field) {
        msg.fields.push(field);
        group.fields.push(field.name);
      }
    });
  }

  private field(oneof: string | undefined): RawField | undefined {
    const first = this.peek();
    let label: Label = 'optional';
    if (first.kind === 'ident' && ['optional', 'required', 'repeated'].includes(first.text)) {
      if (oneof !== undefined) throw new StatementError(first, 'fields in a oneof take no label');
      label = first.text as Label;
      this.index++;
    }
    if (this.peek().text === 'group') {
      throw new StatementError(this.peek(), 'groups are not supported; use a nested message');
    }
    const typeName = this.typeName();
    const name = this.expectKind('ident');
    this.expectSymbol('=');
    const number = this.fieldNumber();
    const options = this.fieldOptions();
    this.expectSymbol(';');
    return {
      name: name.text,
      number,
      label,
      typeName,
      deprecated: options.deprecated,
      line: name.line,
      column: name.column,
      ...(options.default ? { default: options.default } : {}),
      ...(oneof !== undefined ? { oneof } : {}),
      ...docOf(first),
    };
  }

  private mapField(msg: RawMessage, oneof: string | undefined): void {
    const start = this.peek();
    this.index += 2; // map <
    const keyType = this.typeName();
    this.expectSymbol(',');
    const valueType = this.typeName();
    this.expectSymbol('>');
    const name = this.expectKind('ident');
    this.expectSymbol('=');
    const number = this.fieldNumber();
    const options = this.fieldOptions();
    this.expectSymbol(';');
    if (
      !isScalarKind(keyType) ||
      keyType === 'double' ||
      keyType === 'float' ||
      keyType === 'bytes'
    ) {
      this.report(start, `map key type must be an integer, bool or string, not '${keyType}'`);
    }
    const entry = newMessage(mapEntryName(name.text), name);
    entry.mapEntry = true;
    const pos = { line: name.line, column: name.column, deprecated: false };
    entry.fields.push({ ...pos, name: 'key', number: 1, label: 'optional', typeName: keyType });
    entry.fields.push({ ...pos, name: 'value', number: 2, label: 'optional', typeName: valueType });
    msg.messages.push(entry);
    msg.fields.push({
      name: name.text,
      number,
      label: 'repeated',
      typeName: entry.name,
      deprecated: options.deprecated,
      line: name.line,
      column: name.column,
      ...(oneof !== undefined ? { oneof } : {}),
      ...docOf(start),
    });
  }

  private enumBody(keyword: ProtoToken): RawEnum {
    const name = this.expectKind('ident');
    const en: RawEnum = {
      name: name.text,
      values: [],
      deprecated: false,
      allowAlias: false,
      line: keyword.line,
      column: keyword.column,
      ...docOf(keyword),
    };
    this.expectSymbol('{');
    this.body(() => {
      const t = this.peek();
      if (this.acceptSymbol(';')) return;
      if (this.acceptIdent('option')) {
        const option = this.optionBody();
        if (option.name === 'allow_alias') en.allowAlias = option.value === 'true';
        if (option.name === 'deprecated') en.deprecated = option.value === 'true';
        return;
      }
      if (this.acceptIdent('reserved')) {
        this.reserved(undefined);
        return;
      }
      const valueName = this.expectKind('ident');
      this.expectSymbol('=');
      const negative = this.acceptSymbol('-') !== undefined;
      const num = this.expectKind('int');
      const options = this.fieldOptions();
      this.expectSymbol(';');
      const number = parseInteger(num.text) * (negative ? -1 : 1);
      if (!Number.isSafeInteger(number) || number < -(2 ** 31) || number >= 2 ** 31) {
        this.report(num, `enum value ${num.text} is out of the int32 range`);
      }
      en.values.push({
        name: valueName.text,
        number,
        deprecated: options.deprecated,
        line: valueName.line,
        column: valueName.column,
        ...docOf(t),
      });
    });
    return en;
  }

  private reserved(msg: RawMessage | undefined): void {
    if (this.peek().kind === 'string') {
      do {
        const name = this.expectKind('string');
        msg?.reservedNames.push(name.value ?? '');
      } while (this.acceptSymbol(','));
    } else {
      const ranges = this.ranges();
      msg?.reservedRanges.push(...ranges);
    }
    this.expectSymbol(';');
  }

  private ranges(): [number, number][] {
    const out: [number, number][] = [];
    do {
      const from = parseInteger(this.expectKind('int').text);
      let to = from;
      if (this.acceptIdent('to')) {
        to = this.acceptIdent('max') ? MAX_FIELD_NUMBER : parseInteger(this.expectKind('int').text);
      }
      out.push([from, to]);
    } while (this.acceptSymbol(','));
    return out;
  }

  // --- pieces ---

  /** `{ ... }` with members parsed by `member`; a broken member is skipped, not the block. */
  private body(member: () => void): void {
    while (!this.acceptSymbol('}')) {
      if (this.peek().kind === 'eof') {
        this.report(this.peek(), "missing '}' before the end of the file");
        return;
      }
      const start = this.index;
      try {
        member();
      } catch (e) {
        this.recover(e, start);
      }
    }
  }

  private fieldNumber(): number {
    const t = this.expectKind('int');
    const n = parseInteger(t.text);
    if (!(n >= 1 && n <= MAX_FIELD_NUMBER)) {
      this.report(t, `field number ${t.text} is out of range (1 to ${MAX_FIELD_NUMBER})`);
    } else if (n >= 19000 && n <= 19999) {
      this.report(t, `field numbers 19000 to 19999 are reserved by protobuf`);
    }
    return n;
  }

  private fieldOptions(): { deprecated: boolean; default?: RawConstant } {
    const result: { deprecated: boolean; default?: RawConstant } = { deprecated: false };
    if (!this.acceptSymbol('[')) return result;
    do {
      const name = this.optionName();
      this.expectSymbol('=');
      if (name === 'default') {
        result.default = this.constant();
      } else {
        const value = this.optionValue();
        if (name === 'deprecated') result.deprecated = value === 'true';
      }
    } while (this.acceptSymbol(','));
    this.expectSymbol(']');
    return result;
  }

  /** `name = value;` after the `option` keyword. */
  private optionBody(): { name: string; value: string } {
    const name = this.optionName();
    this.expectSymbol('=');
    const value = this.optionValue();
    this.expectSymbol(';');
    return { name, value };
  }

  private optionName(): string {
    let name = '';
    if (this.acceptSymbol('(')) {
      name = `(${this.fullIdent()})`;
      this.expectSymbol(')');
    } else name = this.expectKind('ident').text;
    while (this.acceptSymbol('.')) name += `.${this.expectKind('ident').text}`;
    return name;
  }

  /** A scalar constant or an aggregate `{ ... }` (skipped); returns the scalar's text. */
  private optionValue(): string {
    if (this.peek().text === '{' && this.peek().kind === 'symbol') {
      this.index++;
      this.skipUntilSymbol('}');
      return '';
    }
    const c = this.constant();
    return c.negative ? `-${c.text}` : c.text;
  }

  private constant(): RawConstant {
    const sign = this.peek();
    const negative = this.acceptSymbol('-') !== undefined;
    if (!negative) this.acceptSymbol('+');
    const t = this.peek();
    if (t.kind === 'string') {
      let text = '';
      while (this.peek().kind === 'string') text += this.next().value ?? '';
      return { kind: 'string', text, negative, line: sign.line, column: sign.column };
    }
    if (t.kind === 'int' || t.kind === 'float' || t.kind === 'ident') {
      this.index++;
      let text = t.text;
      if (t.kind === 'ident')
        while (this.acceptSymbol('.')) text += `.${this.expectKind('ident').text}`;
      return { kind: t.kind, text, negative, line: sign.line, column: sign.column };
    }
    throw new StatementError(t, `expected a constant, found '${t.text || 'end of file'}'`);
  }

  private typeName(): string {
    let name = this.acceptSymbol('.') ? '.' : '';
    name += this.fullIdent();
    return name;
  }

  private fullIdent(): string {
    let name = this.expectKind('ident').text;
    while (this.acceptSymbol('.')) name += `.${this.expectKind('ident').text}`;
    return name;
  }

  // --- token helpers and recovery ---

  private peek(ahead = 0): ProtoToken {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)] as ProtoToken;
  }

  private next(): ProtoToken {
    const t = this.peek();
    if (t.kind !== 'eof') this.index++;
    return t;
  }

  private acceptSymbol(symbol: string): ProtoToken | undefined {
    const t = this.peek();
    return t.kind === 'symbol' && t.text === symbol ? this.next() : undefined;
  }

  private acceptIdent(word: string): ProtoToken | undefined {
    const t = this.peek();
    return t.kind === 'ident' && t.text === word ? this.next() : undefined;
  }

  private expectSymbol(symbol: string): ProtoToken {
    const t = this.acceptSymbol(symbol);
    if (t) return t;
    throw new StatementError(this.peek(), `expected '${symbol}', found ${describe(this.peek())}`);
  }

  private expectKind(kind: 'ident' | 'int' | 'string'): ProtoToken {
    const t = this.peek();
    if (t.kind === kind) return this.next();
    const what = kind === 'ident' ? 'a name' : kind === 'int' ? 'an integer' : 'a string';
    throw new StatementError(t, `expected ${what}, found ${describe(t)}`);
  }

  private skipUntilSymbol(close: '}' | ']'): void {
    const open = close === '}' ? '{' : '[';
    let depth = 1;
    while (depth > 0 && this.peek().kind !== 'eof') {
      const t = this.next();
      if (t.kind !== 'symbol') continue;
      if (t.text === open) depth++;
      else if (t.text === close) depth--;
    }
  }

  /** Skips `name ... { ... }` of a declaration the schema does not model. */
  private skipDeclarationBlock(): void {
    while (this.peek().kind !== 'eof' && !this.acceptSymbol('{')) this.index++;
    this.skipUntilSymbol('}');
  }

  /**
   * After a failed statement: report it, then skip to just past the next `;` at the same depth, or
   * past the `}` that closes a block the statement opened, stopping before a `}` that closes the
   * enclosing block. Always moves forward, so parsing terminates.
   */
  private recover(e: unknown, start: number): void {
    if (!(e instanceof StatementError)) throw e;
    this.report(e.token, e.message);
    this.index = Math.max(this.index, start);
    let depth = 0;
    for (let i = start; i < this.index; i++) {
      const t = this.tokens[i] as ProtoToken;
      if (t.kind === 'symbol' && t.text === '{') depth++;
      if (t.kind === 'symbol' && t.text === '}') depth--;
    }
    while (this.peek().kind !== 'eof') {
      const t = this.peek();
      if (t.kind === 'symbol' && t.text === '{') depth++;
      if (t.kind === 'symbol' && t.text === '}') {
        if (depth <= 0) break;
        depth--;
        this.index++;
        if (depth === 0) return;
        continue;
      }
      this.index++;
      if (t.kind === 'symbol' && t.text === ';' && depth <= 0) return;
    }
    if (this.index === start && this.peek().kind !== 'eof' && this.peek().text !== '}')
      this.index++;
  }

  private report(t: ProtoToken, message: string): void {
    const last = this.errors[this.errors.length - 1];
    if (last && last.line === t.line && last.column === t.column) return;
    this.errors.push({ file: this.path, line: t.line, column: t.column, message });
  }
}

function newMessage(name: string, at: ProtoToken): RawMessage {
  return {
    name,
    fields: [],
    oneofs: [],
    messages: [],
    enums: [],
    extensionRanges: [],
    reservedRanges: [],
    reservedNames: [],
    deprecated: false,
    mapEntry: false,
    line: at.line,
    column: at.column,
    ...docOf(at),
  };
}

function docOf(t: ProtoToken): { doc?: string } {
  return t.leadingComment ? { doc: t.leadingComment } : {};
}

function describe(t: ProtoToken): string {
  return t.kind === 'eof' ? 'the end of the file' : `'${t.text}'`;
}

/** Decimal, hex (0x) or octal (leading 0) integer text. */
export function parseInteger(text: string): number {
  if (/^0[xX]/.test(text)) return parseInt(text.slice(2), 16);
  if (/^0[0-7]+$/.test(text)) return parseInt(text.slice(1), 8);
  return Number(text);
}

/** protoc's name for the entry message of a map field: `class_to_id` -> `ClassToIdEntry`. */
export function mapEntryName(fieldName: string): string {
  let out = '';
  let upper = true;
  for (const c of fieldName) {
    if (c === '_') {
      upper = true;
      continue;
    }
    out += upper ? c.toUpperCase() : c;
    upper = false;
  }
  return `${out}Entry`;
}
