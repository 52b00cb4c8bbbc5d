import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  interpretScalar,
  parse,
  pythonParseFloat,
  pythonParseInteger,
  type ScalarFieldType,
  type ScalarNode,
} from '../../../src/textproto';

/** [python verdict, protoc verdict] of `x: <value>` for a field of `type`. */
function verdicts(value: string, type: ScalarFieldType): [string, string] {
  const text = `x: ${value}`;
  const doc = parse(text);
  const scalar = doc.fields[0]?.value as ScalarNode;
  assert.equal(scalar?.kind, 'scalar', value);
  const reading = interpretScalar(scalar, type, text);
  const problem = reading.diagnostics[0];
  return [problem?.python ?? 'accepts', problem?.protoc ?? 'accepts'];
}

const OK: [string, string] = ['accepts', 'accepts'];
const BOTH: [string, string] = ['rejects', 'rejects'];
const PY_ONLY: [string, string] = ['rejects', 'accepts'];
const PROTOC_ONLY: [string, string] = ['accepts', 'rejects'];

describe('scalar values by field type (verdicts from corpus mutants and the spec)', () => {
  it('integers', () => {
    const cases: [string, ScalarFieldType, [string, string]][] = [
      ['2147483647', 'int32', OK], // int32_max
      ['-2147483649', 'int32', BOTH], // int32_overflow
      ['4294967295', 'uint32', OK], // uint32_max
      ['4294967296', 'uint32', BOTH], // uint32_overflow
      ['-1', 'uint32', BOTH], // negative_unsigned
      ['-354', 'int32', OK], // negative_signed_int
      ['0x1', 'int32', OK], // hex_int
      ['013', 'int32', OK], // octal_int
      ['02', 'int32', OK], // leading_zero_decimal_int
      ['09', 'int32', BOTH], // invalid_octal_digits
      ['1e2', 'int32', BOTH], // exponent_in_int_field
      ['800720.5', 'int32', BOTH], // float_in_int_field
      ['2f', 'int32', BOTH], // float_suffix_in_int_field
      ['inf', 'int32', BOTH], // inf_in_int_field
      ['"47"', 'int32', BOTH], // string_for_int
      ["'1'", 'int32', BOTH], // single_quoted_int
      ['+131', 'int32', PROTOC_ONLY], // plus_sign_number
      ['800_720', 'uint32', PROTOC_ONLY], // digit_separator_underscore
      ['- 32', 'int32', OK], // minus_space_number: the parser itself reports the separated sign
    ];
    for (const [value, type, expected] of cases)
      assert.deepEqual(verdicts(value, type), expected, `${type} ${value}`);
  });

  it('floats', () => {
    const cases: [string, [string, string]][] = [
      ['0.5', OK],
      ['3', OK], // int_literal_in_float_field
      ['2.5e+3', OK], // float_exponent
      ['INF', OK], // float_inf
      ['NaN', OK], // float_nan
      ['-inf', OK],
      ['.5', OK], // float_leading_dot
      ['5.', OK], // float_trailing_dot
      ['0.5f', OK],
      ['10f', OK],
      ['0.5F', PY_ONLY], // float_f_suffix
      ['00', PROTOC_ONLY], // float_leading_zero_int
      ['010', PROTOC_ONLY],
      ['0x10', BOTH], // float_hex
      ['infinite', BOTH], // float_bad_forms
      ['"2.0"', BOTH], // string_for_float
      ['+0.0', PROTOC_ONLY], // plus_sign_number
      ['1.5ff', PROTOC_ONLY],
    ];
    for (const [value, expected] of cases)
      assert.deepEqual(verdicts(value, 'float'), expected, value);
  });

  it('bools', () => {
    for (const value of ['true', 'false', 'True', 'False', 't', 'f', '1', '0'])
      assert.deepEqual(verdicts(value, 'bool'), OK, value); // bool_alt_spelling_valid
    assert.deepEqual(verdicts('on', 'bool'), BOTH); // bool_alt_spelling_invalid
    assert.deepEqual(verdicts('TRUE', 'bool'), BOTH);
    assert.deepEqual(verdicts('"true"', 'bool'), BOTH); // bool_quoted
    assert.deepEqual(verdicts('0x1', 'bool'), PY_ONLY); // the spec allows any spelling of 0/1
  });

  it('strings and bytes', () => {
    assert.deepEqual(verdicts('"a" \'b\'', 'string'), OK);
    assert.deepEqual(verdicts('Wok', 'string'), BOTH); // bare_identifier_for_string
    assert.deepEqual(verdicts('42', 'string'), BOTH); // number_for_string
    assert.deepEqual(verdicts(String.raw`"caf\u00e9"`, 'string'), PY_ONLY); // escape_unicode
    assert.deepEqual(verdicts(String.raw`"caf\u00e9"`, 'bytes'), OK);
    assert.deepEqual(verdicts(String.raw`"\303" "\251"`, 'string'), OK);
    assert.deepEqual(verdicts(String.raw`"\u4e2d"`, 'string'), OK);
  });

  it('enums (name and number lookup is left to the schema)', () => {
    assert.deepEqual(verdicts('RELU_6', 'enum'), OK);
    assert.deepEqual(verdicts('2', 'enum'), OK); // enum_as_known_number
    assert.deepEqual(verdicts('"RELU_6"', 'enum'), BOTH); // enum_quoted
    const text = 'x: 0x2 y: RELU_6';
    const doc = parse(text);
    const [a, b] = doc.fields.map(
      (f) => interpretScalar(f.value as ScalarNode, 'enum', text).value,
    );
    assert.deepEqual(a, { kind: 'enumNumber', value: 2 });
    assert.deepEqual(b, { kind: 'enumName', value: 'RELU_6' });
  });

  it('returns the value the API reads', () => {
    const text = 'a: 010 b: 010 c: "x\\ty" d: t';
    const doc = parse(text);
    const [a, b, c, d] = doc.fields.map((f) => f.value as ScalarNode);
    assert.deepEqual(interpretScalar(a as ScalarNode, 'int32', text).value, {
      kind: 'integer',
      value: 8n,
    });
    assert.deepEqual(interpretScalar(b as ScalarNode, 'double', text).value, {
      kind: 'float',
      value: 10,
    });
    assert.deepEqual(interpretScalar(c as ScalarNode, 'string', text).value, {
      kind: 'string',
      value: 'x\ty',
    });
    assert.deepEqual(interpretScalar(d as ScalarNode, 'bool', text).value, {
      kind: 'bool',
      value: true,
    });
  });

  it('mirrors Python int() and float() on number spellings', () => {
    assert.equal(pythonParseInteger('1_000'), 1000n);
    assert.equal(pythonParseInteger('-010'), -8n);
    assert.equal(pythonParseInteger('0X1F'), 31n);
    assert.equal(pythonParseInteger('0b11'), 3n);
    assert.equal(pythonParseInteger('0_1'), undefined);
    assert.equal(pythonParseInteger('1__0'), undefined);
    assert.equal(pythonParseFloat('1_0.5'), 10.5);
    assert.equal(pythonParseFloat('infinityf'), Infinity);
    assert.equal(pythonParseFloat('-Infinity'), -Infinity);
    assert.ok(Number.isNaN(pythonParseFloat('-nan')));
    assert.equal(pythonParseFloat('0.5F'), undefined);
    assert.equal(pythonParseFloat('1e'), undefined);
  });
});
