// The schema collector of the walk: what Python's text_format.Merge (the Object Detection API's
// parser) and protoc say about fields and values once the message types are known. Merge stops at
// its first problem; every problem it would meet is reported here as an error, so the first error
// in the file is on the line Merge names. Merge's own leniencies (a singular field set twice, two
// members of a oneof) are warnings, because protoc rejects them.

import {
  interpretScalar,
  type Container,
  type ScalarFieldType,
  type ScalarNode,
  type ScalarTypedValue,
} from '../../textproto';
import {
  LABEL_MAP,
  shortName,
  type EnumType,
  type FieldDef,
  type MessageType,
  type Schema,
} from '../model';
import { closestMatch } from '../suggest';
import { parserVerdict, type ValidationDiagnostic } from './diagnostic';
import type { FieldBinding, SchemaVisitor } from './walker';

/**
 * The typed value of each scalar the walk read, for the API rules that follow it. Plain integers
 * and strings without escapes (nearly every scalar of a real file) are read on demand instead of
 * stored: a 100,000-item label map then costs no map of 300,000 entries.
 */
export class ScalarValues {
  private readonly typed = new Map<ScalarNode, ScalarTypedValue>();
  private readonly rejected = new Set<ScalarNode>();

  /** Python's reading of a scalar of a known field; undefined when it rejects it or was not read. */
  get(scalar: ScalarNode): ScalarTypedValue | undefined {
    const typed = this.typed.get(scalar);
    if (typed) return typed;
    if (this.rejected.has(scalar)) return undefined;
    if (scalar.valueKind === 'string' && typeof scalar.value === 'string')
      return { kind: 'string', value: scalar.value };
    if (
      scalar.valueKind === 'number' &&
      typeof scalar.value === 'number' &&
      Number.isSafeInteger(scalar.value)
    )
      return { kind: 'integer', value: BigInt(scalar.value) };
    return undefined;
  }

  set(scalar: ScalarNode, value: ScalarTypedValue): void {
    this.typed.set(scalar, value);
  }

  reject(scalar: ScalarNode): void {
    this.rejected.add(scalar);
  }
}

const LABEL_MAP_ITEM_FIELDS = new Set(['name', 'id', 'display_name', 'keypoints', 'frequency']);
const PLAIN_INT = /^(?:0|[1-9][0-9]{0,8})$/;

function typeLabel(def: FieldDef): string {
  const t = def.type;
  const base = t.kind === 'scalar' ? t.scalar : shortName(t.typeName);
  return def.label === 'repeated' ? `repeated ${base}` : base;
}

export class SchemaChecks implements SchemaVisitor {
  readonly diagnostics: ValidationDiagnostic[] = [];
  readonly values = new ScalarValues();
  /** Per open message: the first occurrence of each field name and the oneof member set. */
  private readonly seen: Map<string, FieldBinding>[] = [];
  private readonly oneofs: Map<string, FieldBinding>[] = [];

  constructor(
    private readonly schema: Schema,
    private readonly text: string,
  ) {}

  enterMessage(): void {
    this.seen.push(new Map());
    this.oneofs.push(new Map());
  }

  leaveMessage(container: Container, type: MessageType): void {
    const seen = this.seen.pop() as Map<string, FieldBinding>;
    this.oneofs.pop();
    for (const def of type.fields) {
      if (def.label !== 'required' || seen.has(def.name)) continue;
      const at =
        container.kind === 'document'
          ? { offset: 0, length: 0 }
          : { offset: container.open.offset, length: container.open.length };
      this.diagnostics.push(
        parserVerdict(
          'missing-required-field',
          `\`${shortName(type.fullName)}\` is missing its required field \`${def.name}\`: protoc reports it; the Object Detection API reads the file but the value is unset.`,
          at,
          'accepts',
          'rejects',
        ),
      );
    }
  }

  field(binding: FieldBinding): boolean {
    const { node, parentType, def } = binding;
    if (node.name.form === 'number') return false; // the parser already rejected it
    if (node.name.form !== 'identifier') {
      const extensible = (parentType.extensionRanges?.length ?? 0) > 0;
      this.diagnostics.push(
        parserVerdict(
          node.name.form === 'any' ? 'any-not-supported' : 'unknown-extension',
          extensible
            ? `The extension \`[${node.name.text}]\` is not defined in the schema: the Object Detection API cannot read it.`
            : `\`${shortName(parentType.fullName)}\` has no extensions, so \`[${node.name.text}]\` cannot be set: remove it.`,
          node.name,
          'rejects',
          'rejects',
        ),
      );
      return false;
    }
    if (!def) {
      this.diagnostics.push(
        parserVerdict(
          'unknown-field',
          this.unknownFieldMessage(node.name.text, parentType),
          node.name,
          'rejects',
          'rejects',
        ),
      );
      return false;
    }
    this.checkRepeats(binding);
    if (def.deprecated)
      this.diagnostics.push({
        ...parserVerdict(
          'deprecated-field',
          `\`${def.name}\` is deprecated${def.doc ? `: ${def.doc.replace(/^Deprecated:\s*/i, '')}` : '.'} (protoc warns about it.)`,
          node.name,
          'accepts',
          'accepts',
        ),
        severity: 'warning',
        deprecated: true,
      });
    return this.checkShape(binding);
  }

  private unknownFieldMessage(name: string, parentType: MessageType): string {
    const where = shortName(parentType.fullName);
    const names = parentType.fields.map((f) => f.name);
    const suggestion = closestMatch(name, names);
    let message = `unknown field \`${name}\` in \`${where}\``;
    if (suggestion) return `${message}; did you mean \`${suggestion}\`?`;
    if (parentType.fullName === LABEL_MAP && LABEL_MAP_ITEM_FIELDS.has(name))
      return `${message}: a label map's \`${name}\` goes inside \`item { ... }\`.`;
    const elsewhere = this.schema
      .messages()
      .filter((m) => m.fields.some((f) => f.name === name))
      .map((m) => `\`${shortName(m.fullName)}\``);
    if (elsewhere.length > 0 && elsewhere.length <= 3)
      message += ` (\`${name}\` belongs in ${elsewhere.join(' or ')})`;
    return `${message}; the Object Detection API rejects the file.`;
  }

  /** Singular fields set twice and oneof members set together: Merge keeps the last, protoc rejects. */
  private checkRepeats(binding: FieldBinding): void {
    const def = binding.def as FieldDef;
    const node = binding.node;
    const seen = this.seen[this.seen.length - 1] as Map<string, FieldBinding>;
    const first = seen.get(def.name);
    if (!first) seen.set(def.name, binding);
    else if (def.label !== 'repeated') {
      const isMessage = def.type.kind === 'message';
      this.diagnostics.push(
        parserVerdict(
          'duplicate-field',
          isMessage
            ? `\`${def.name}\` is set twice: the Object Detection API merges both blocks into one (later values win) and protoc rejects the file. Keep one \`${def.name}\` block.`
            : `\`${def.name}\` is set twice: the Object Detection API keeps the last value and protoc rejects the file. Remove one.`,
          node.name,
          'accepts',
          'rejects',
          [
            {
              message: `first \`${def.name}\``,
              offset: first.node.name.offset,
              length: first.node.name.length,
            },
          ],
        ),
      );
    }
    if (!def.oneof) return;
    const oneofs = this.oneofs[this.oneofs.length - 1] as Map<string, FieldBinding>;
    const other = oneofs.get(def.oneof);
    if (other && other.def?.name !== def.name)
      this.diagnostics.push(
        parserVerdict(
          'oneof-conflict',
          `\`${def.name}\` and \`${other.def?.name ?? ''}\` are alternatives (oneof \`${def.oneof}\`): the Object Detection API keeps only the last one set (\`${def.name}\`) and protoc rejects the file. Keep one.`,
          node.name,
          'accepts',
          'rejects',
          [
            {
              message: `\`${other.def?.name ?? ''}\` set here`,
              offset: other.node.name.offset,
              length: other.node.name.length,
            },
          ],
        ),
      );
    oneofs.set(def.oneof, binding);
  }

  /** Message vs scalar, list vs singular. Returns false when the value cannot be walked. */
  private checkShape(binding: FieldBinding): boolean {
    const { node } = binding;
    const def = binding.def as FieldDef;
    const value = node.value;
    if (!value) return false;
    const isMessage = def.type.kind === 'message';
    if (value.kind === 'list') {
      if (def.label !== 'repeated') {
        this.diagnostics.push(
          parserVerdict(
            'list-for-singular',
            `\`${def.name}\` takes one value (${typeLabel(def)}), not a list: remove the \`[ ]\`.`,
            value.open,
            'rejects',
            'rejects',
          ),
        );
        return false;
      }
      for (const element of value.elements) {
        if ((element.kind === 'message') !== isMessage) {
          this.shapeError(def, element.kind === 'message' ? element.open : element);
          return false;
        }
      }
      return true;
    }
    if ((value.kind === 'message') !== isMessage) {
      this.shapeError(def, value.kind === 'message' ? value.open : value);
      return false;
    }
    return true;
  }

  private shapeError(def: FieldDef, at: { offset: number; length: number }): void {
    const message =
      def.type.kind === 'message'
        ? `\`${def.name}\` is a message (${shortName(def.type.typeName)}): write \`${def.name} { ... }\`, not a value.`
        : `\`${def.name}\` is a ${typeLabel(def)} value, not a message: write \`${def.name}: <value>\` without braces.`;
    this.diagnostics.push(parserVerdict('type-mismatch', message, at, 'rejects', 'rejects'));
  }

  scalar(scalar: ScalarNode, binding: FieldBinding): void {
    const def = binding.def as FieldDef;
    const type = def.type;
    // Fast paths for what real files are made of (ids, names, sizes): same readings as below.
    if (type.kind === 'scalar') {
      const kind = type.scalar;
      if (
        scalar.valueKind === 'string' &&
        kind === 'string' &&
        scalar.parts.every((p) => !p.raw.includes('\\'))
      )
        return; // read on demand by ScalarValues.get
      if (
        scalar.valueKind === 'number' &&
        (kind === 'int32' || kind === 'int64' || kind === 'uint32' || kind === 'uint64') &&
        (!scalar.sign ||
          (scalar.sign.char === '-' && scalar.sign.glued && kind.startsWith('int'))) &&
        PLAIN_INT.test(scalar.raw)
      )
        return; // read on demand by ScalarValues.get
    }
    const fieldType: ScalarFieldType = type.kind === 'scalar' ? type.scalar : 'enum';
    const reading = interpretScalar(scalar, fieldType, this.text);
    for (const d of reading.diagnostics)
      this.diagnostics.push(
        parserVerdict(d.code, `${d.message} (\`${def.name}\`)`, d, d.python, d.protoc, d.related),
      );
    if (!reading.value) {
      this.values.reject(scalar);
      return;
    }
    if (type.kind === 'enum') {
      const enumType = this.schema.enum(type.typeName);
      if (enumType && !this.enumAccepts(scalar, reading.value, enumType, def)) {
        this.values.reject(scalar);
        return;
      }
    }
    this.values.set(scalar, reading.value);
  }

  private enumAccepts(
    scalar: ScalarNode,
    value: ScalarTypedValue,
    enumType: EnumType,
    def: FieldDef,
  ): boolean {
    const names = enumType.values.map((v) => v.name);
    const list = names.length <= 8 ? `: one of ${names.map((n) => `\`${n}\``).join(', ')}` : '';
    if (value.kind === 'enumName') {
      if (names.includes(value.value)) return true;
      const caseFix = names.find((n) => n.toLowerCase() === value.value.toLowerCase());
      const suggestion = caseFix ?? closestMatch(value.value, names);
      this.diagnostics.push(
        parserVerdict(
          'unknown-enum-value',
          `\`${value.value}\` is not a value of \`${shortName(enumType.fullName)}\` (\`${def.name}\`)${
            suggestion ? `; did you mean \`${suggestion}\`?` : list + '.'
          }`,
          scalar,
          'rejects',
          'rejects',
        ),
      );
      return false;
    }
    if (value.kind === 'enumNumber') {
      if (enumType.values.some((v) => v.number === value.value)) return true;
      this.diagnostics.push(
        parserVerdict(
          'unknown-enum-value',
          `\`${value.value}\` is not a number of \`${shortName(enumType.fullName)}\` (\`${def.name}\`)${list}.`,
          scalar,
          'rejects',
          'rejects',
        ),
      );
      return false;
    }
    return true;
  }
}
