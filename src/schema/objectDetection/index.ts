// The built-in Object Detection API schema: every message and enum reachable from
// TrainEvalPipelineConfig (pipeline.config) and StringIntLabelMap (label maps).
//
// Provenance: the field facts (names, numbers, types, labels, defaults, oneofs, deprecation) follow
// research/object_detection/protos/*.proto in tensorflow/models at OD_PROTOS_COMMIT. No .proto text
// or comment is copied; the one-line docs are our own. To check the data against a checkout of the
// protos, run test/unit/schema/compare-with-protos.ts (it needs TFOD_OD_PROTOS).

import { Schema } from '../model';
import { anchors } from './anchors';
import { boxCoders } from './boxCoders';
import { boxPredictor } from './boxPredictor';
import { buildSchemaTypes } from './build';
import { centerNet } from './centerNet';
import type { ProtoFileSpec } from './dsl';
import { evaluation } from './eval';
import { fasterRcnn } from './fasterRcnn';
import { featurePyramid } from './featurePyramid';
import { hyperparams } from './hyperparams';
import { imageResizer } from './imageResizer';
import { inputReader } from './inputReader';
import { labelMap } from './labelMap';
import { losses } from './losses';
import { matchers } from './matchers';
import { optimizer } from './optimizer';
import { pipeline } from './pipeline';
import { postProcessing } from './postProcessing';
import { preprocessor } from './preprocessor';
import { ssd } from './ssd';
import { train } from './train';

/** The tensorflow/models commit the built-in schema was checked against. */
export const OD_PROTOS_COMMIT = '1482df5980dcfe9e1a94f8ff7ae8ad21e732f5f6';

export const OBJECT_DETECTION_FILES: readonly ProtoFileSpec[] = [
  ...pipeline,
  ...fasterRcnn,
  ...ssd,
  ...centerNet,
  ...imageResizer,
  ...featurePyramid,
  ...hyperparams,
  ...anchors,
  ...boxPredictor,
  ...boxCoders,
  ...matchers,
  ...losses,
  ...postProcessing,
  ...preprocessor,
  ...train,
  ...optimizer,
  ...inputReader,
  ...evaluation,
  ...labelMap,
];

let built: { schema: Schema; problems: string[] } | undefined;

function build(): { schema: Schema; problems: string[] } {
  if (!built) {
    const { types, problems } = buildSchemaTypes(OBJECT_DETECTION_FILES);
    built = { schema: new Schema(types), problems };
  }
  return built;
}

/** The built-in schema (built once, on first use). */
export function objectDetectionSchema(): Schema {
  return build().schema;
}

/** Mistakes in the built-in data itself; always empty in a correct build (the tests check). */
export function objectDetectionSchemaProblems(): readonly string[] {
  return build().problems;
}
