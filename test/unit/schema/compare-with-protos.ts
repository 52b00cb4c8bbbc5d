// Checks the built-in schema against a folder of real Object Detection API protos, by hand:
//
//   TFOD_OD_PROTOS=/path/to/models/research npx tsx test/unit/schema/compare-with-protos.ts
//
// TFOD_OD_PROTOS is an import root holding object_detection/protos/*.proto (or that protos folder).
// The built-in data follows tensorflow/models at OD_PROTOS_COMMIT; a newer checkout may differ.
// Exit codes: 0 equal, 1 different (each difference printed), 2 TFOD_OD_PROTOS not set or unreadable.
// It is a script, not a *.test.ts, so that without the protos it cannot pass by skipping.

import {
  LABEL_MAP,
  OD_PROTOS_COMMIT,
  PIPELINE_CONFIG,
  loadSchemaFromProtoFolder,
  objectDetectionSchema,
} from '../../../src/schema';
import { compareSchemas } from './compareSchemas';

async function main(): Promise<number> {
  const dir = process.env.TFOD_OD_PROTOS;
  if (!dir) {
    console.error('TFOD_OD_PROTOS is not set: point it at a folder of object_detection/protos.');
    return 2;
  }
  const { schema, errors, files } = await loadSchemaFromProtoFolder(dir);
  for (const e of errors) console.error(`${e.file}:${e.line}:${e.column}: ${e.message}`);
  if (files.length === 0) return 2;
  const differences = compareSchemas(objectDetectionSchema(), schema, [PIPELINE_CONFIG, LABEL_MAP]);
  for (const d of differences) console.log(d);
  const types = objectDetectionSchema().reachableFrom([PIPELINE_CONFIG, LABEL_MAP]).length;
  console.log(
    differences.length === 0 && errors.length === 0
      ? `equal: ${types} types from ${files.length} files match the built-in schema (${OD_PROTOS_COMMIT.slice(0, 8)})`
      : `${differences.length} differences, ${errors.length} errors`,
  );
  return differences.length === 0 && errors.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(2);
  },
);
