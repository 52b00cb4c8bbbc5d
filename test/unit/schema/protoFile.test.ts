// The .proto reader on small samples written for these tests: every construct the Object Detection
// API's protos use, name resolution across imports, and recovery from broken input.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  mapEntryName,
  parseProtoFile,
  schemaFromProtoSources,
  type ProtoError,
} from '../../../src/schema/protoFile';
import type { MessageType } from '../../../src/schema';

const ZOO = `syntax = "proto2";
package zoo.protos;

import "zoo/protos/common.proto";
option java_package = "org.example.zoo";
option (my.custom) = { a: 1 b: "x" };

// A whole enclosure.
// Second line is ignored by docs.
message Enclosure {
  /* The animals, in order. */
  repeated Animal animals = 1;
  optional string keeper = 2 [default = "Sam \\"the\\" keeper\\n"];
  required int32 capacity = 3 [default = 0x10];
  optional sint64 offset = 4 [default = -9007199254740993];
  optional float warmth = 5 [default = -inf, deprecated = true];
  optional double ratio = 6 [default = 1e-8]; // trailing comment, not a doc
  optional Climate climate = 7 [default = TROPICAL];
  map<string, Animal> by_name = 8;
  oneof feeding {
    Schedule schedule = 9;
    bool ad_lib = 10;
  }
  optional .zoo.protos.Enclosure.Gate gate = 11;
  optional uint32 legacy = 12 [deprecated=true];
  reserved 20 to 25, 30;
  reserved "old_name";
  extensions 1000 to max;

  message Gate {
    optional bool open = 1 [default = true];
  }
  enum Climate {
    option allow_alias = true;
    TEMPERATE = 0;
    TROPICAL = 1;
    HOT = 1;
    ARCTIC = -2 [deprecated = true];
  }
}
`;

const COMMON = `syntax = "proto2";
package zoo.protos;
message Animal { optional string name = 1; }
message Schedule { repeated int32 hours = 1 [packed = true]; }
service Feeder { rpc Feed (Animal) returns (Schedule) { option deadline = 1; } }
extend Animal { optional int32 legs = 100; }
`;

function load(extra: Record<string, string> = {}) {
  return schemaFromProtoSources({
    'zoo/protos/zoo.proto': ZOO,
    'zoo/protos/common.proto': COMMON,
    ...extra,
  });
}

describe('.proto reader: constructs', () => {
  const { schema, errors } = load();
  const enclosure = schema.message('zoo.protos.Enclosure') as MessageType;
  const f = (name: string) => schema.field(enclosure, name);

  it('reads the samples without errors', () => {
    assert.deepEqual(errors, []);
    assert.ok(enclosure);
  });

  it('reads labels, numbers and scalar types', () => {
    assert.equal(f('animals')?.label, 'repeated');
    assert.equal(f('keeper')?.label, 'optional');
    assert.equal(f('capacity')?.label, 'required');
    assert.deepEqual(f('offset')?.type, { kind: 'scalar', scalar: 'sint64' });
    assert.equal(f('ratio')?.number, 6);
  });

  it('resolves message and enum references, nested and imported', () => {
    assert.deepEqual(f('animals')?.type, { kind: 'message', typeName: 'zoo.protos.Animal' });
    assert.deepEqual(f('climate')?.type, {
      kind: 'enum',
      typeName: 'zoo.protos.Enclosure.Climate',
    });
    assert.deepEqual(f('gate')?.type, { kind: 'message', typeName: 'zoo.protos.Enclosure.Gate' });
    assert.deepEqual(enclosure.nested.slice().sort(), [
      'zoo.protos.Enclosure.ByNameEntry',
      'zoo.protos.Enclosure.Climate',
      'zoo.protos.Enclosure.Gate',
    ]);
  });

  it('converts defaults to typed values', () => {
    assert.equal(f('keeper')?.default, 'Sam "the" keeper\n');
    assert.equal(f('capacity')?.default, 16);
    assert.equal(f('offset')?.default, -9007199254740993n);
    assert.equal(f('warmth')?.default, -Infinity);
    assert.equal(f('ratio')?.default, 1e-8);
    assert.equal(f('climate')?.default, 'TROPICAL');
    assert.equal(schema.field('zoo.protos.Enclosure.Gate', 'open')?.default, true);
  });

  it('reads deprecation, oneofs, maps and extension ranges', () => {
    assert.equal(f('warmth')?.deprecated, true);
    assert.equal(f('legacy')?.deprecated, true);
    assert.equal(f('keeper')?.deprecated, undefined);
    assert.deepEqual(enclosure.oneofs, [{ name: 'feeding', fields: ['schedule', 'ad_lib'] }]);
    assert.equal(f('ad_lib')?.oneof, 'feeding');
    const entry = schema.messageOf(f('by_name')!) as MessageType;
    assert.equal(entry.mapEntry, true);
    assert.deepEqual(schema.field(entry, 'value')?.type, {
      kind: 'message',
      typeName: 'zoo.protos.Animal',
    });
    assert.equal(f('by_name')?.label, 'repeated');
    assert.deepEqual(enclosure.extensionRanges, [[1000, 536_870_911]]);
  });

  it('reads enums with aliases and negative, deprecated values', () => {
    const climate = schema.enum('zoo.protos.Enclosure.Climate');
    assert.deepEqual(
      climate?.values.map((v) => [v.name, v.number, v.deprecated ?? false]),
      [
        ['TEMPERATE', 0, false],
        ['TROPICAL', 1, false],
        ['HOT', 1, false],
        ['ARCTIC', -2, true],
      ],
    );
  });

  it('takes the first sentence of the comment above as the doc', () => {
    assert.equal(enclosure.doc, 'A whole enclosure.');
    assert.equal(f('animals')?.doc, 'The animals, in order.');
    assert.equal(f('climate')?.doc, undefined, 'a trailing comment is not the next field’s doc');
  });

  it('names map entries as protoc does', () => {
    assert.equal(mapEntryName('class_id_xy_pairs_map'), 'ClassIdXyPairsMapEntry');
    assert.equal(mapEntryName('super_categories'), 'SuperCategoriesEntry');
  });

  it('skips service and extend blocks', () => {
    assert.equal(schema.get('zoo.protos.Feeder'), undefined);
    assert.equal(schema.field('zoo.protos.Animal', 'legs'), undefined);
  });
});

describe('.proto reader: problems', () => {
  const at = (errors: ProtoError[]) => errors.map((e) => `${e.line}:${e.column} ${e.message}`);

  it('reports a broken field with its line and keeps the rest of the message', () => {
    const file = parseProtoFile(
      'a.proto',
      [
        'message A {', // 1
        '  optional int32 ok = 1;', // 2
        '  optional int32 broken = ;', // 3
        '  optional string also_ok = 3;', // 4
        '  optional int32 = 4;', // 5
        '}', // 6
        'message B { optional bool b = 1; }', // 7
      ].join('\n'),
    );
    assert.deepEqual(at(file.errors), [
      "3:27 expected an integer, found ';'",
      "5:18 expected a name, found '='",
    ]);
    assert.deepEqual(
      file.messages.map((m) => [m.name, m.fields.map((x) => x.name)]),
      [
        ['A', ['ok', 'also_ok']],
        ['B', ['b']],
      ],
    );
  });

  it('recovers from a broken nested block and a missing closing brace', () => {
    const file = parseProtoFile(
      'b.proto',
      'message A {\n  message N { optional x y z = 1; }\n  optional int32 after = 2;\n}\nmessage C {\n  optional int32 c = 1;\n',
    );
    assert.deepEqual(at(file.errors), [
      "2:28 expected '=', found 'z'",
      "7:1 missing '}' before the end of the file",
    ]);
    assert.deepEqual(
      file.messages[0]?.fields.map((x) => x.name),
      ['after'],
    );
    assert.deepEqual(
      file.messages[1]?.fields.map((x) => x.name),
      ['c'],
    );
  });

  it('reports lexical problems with their position', () => {
    const file = parseProtoFile(
      'c.proto',
      'message A {\n  optional string s = 1 [default = "open\n];\n}\n# junk\n',
    );
    const messages = at(file.errors);
    assert.ok(messages.includes('2:36 unterminated string'), messages.join('; '));
    assert.ok(
      messages.some((m) => m.startsWith("5:1 unexpected character '#'")),
      messages.join('; '),
    );
  });

  it('reports type, number, default and import problems from linking', () => {
    const { errors } = schemaFromProtoSources({
      'x.proto': `syntax = "proto2";
package x;
import "missing.proto";
message M {
  optional Unknown u = 1;
  optional int32 a = 2;
  optional int32 a = 3;
  optional int32 b = 3;
  optional int32 big = 4 [default = 3000000000];
  optional bool flag = 5 [default = 1];
  optional E e = 6 [default = NOPE];
  optional int32 r = 7;
  reserved 7;
  repeated int32 list = 8 [default = 1];
  enum E { A = 0; B = 0; }
}
`,
    });
    assert.deepEqual(
      errors.map((e) => `${e.line} ${e.message}`),
      [
        '3 cannot find import "missing.proto"',
        "15 'B' uses the number 0 of 'A'; set allow_alias",
        "5 unknown type 'Unknown'",
        "7 field 'a' is already defined in 'M'",
        "8 field number 3 of 'b' is already used by 'a'",
        "9 invalid default for 'big': out of range for int32",
        "10 invalid default for 'flag': expected true or false",
        "11 invalid default for 'e': 'NOPE' is not a value of x.M.E",
        "12 field number 7 of 'r' is reserved",
        '14 repeated fields cannot have a default',
      ],
    );
  });

  it('requires imports for types of other files', () => {
    const { errors, schema } = load({
      'zoo/protos/other.proto': 'package zoo.protos;\nmessage Other { optional Animal a = 1; }\n',
    });
    assert.deepEqual(
      errors.map((e) => `${e.file}:${e.line} ${e.message}`),
      [
        "zoo/protos/other.proto:2 'Animal' is defined in zoo/protos/common.proto, which is not imported",
      ],
    );
    assert.ok(schema.message('zoo.protos.Other'));
  });

  it('never throws, whatever the input', () => {
    const pieces = [
      'message',
      'enum',
      '{',
      '}',
      '=',
      ';',
      'x',
      '1',
      '"s',
      '[',
      ']',
      'map<',
      '>',
      'oneof',
      '.',
      '-',
      '/*',
      '//',
      '\n',
      'option',
      '(',
      ')',
    ];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 300; n++) {
      let text = '';
      for (let i = 0; i < 60; i++) text += `${pieces[Math.floor(random() * pieces.length)]} `;
      assert.doesNotThrow(() => schemaFromProtoSources({ 'f.proto': text }));
    }
    for (let cut = 0; cut < ZOO.length; cut += 7) {
      assert.doesNotThrow(() => schemaFromProtoSources({ 'z.proto': ZOO.slice(0, cut) }));
    }
  });
});
