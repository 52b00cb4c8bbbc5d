// Reading a user's own .proto files (a newer or forked Object Detection API) into a Schema.

import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { LABEL_MAP, PIPELINE_CONFIG, Schema } from '../model';
import type { ProtoError, RawFile } from './ast';
import { linkProtoFiles } from './link';
import { parseProtoFile } from './parser';

export interface ProtoSchemaResult {
  readonly schema: Schema;
  /** Parse and link problems; `file` is the path the file was given under (absolute for folders). */
  readonly errors: ProtoError[];
  /** The files read, as import paths relative to the import root. */
  readonly files: string[];
}

/**
 * Parses and links .proto sources given as import path -> text. An import that names no given file
 * but whose file name matches exactly one given file is taken to mean that file, so a flat folder
 * of `*.proto` works although the files import `object_detection/protos/x.proto`.
 */
export function schemaFromProtoSources(
  sources: ReadonlyMap<string, string> | Record<string, string>,
): ProtoSchemaResult {
  const entries = sources instanceof Map ? [...sources] : Object.entries(sources);
  const parsed = entries.map(([path, text]) => parseProtoFile(path, text));
  const paths = new Set(parsed.map((f) => f.path));
  const byBase = new Map<string, string[]>();
  for (const p of paths) byBase.set(basename(p), [...(byBase.get(basename(p)) ?? []), p]);
  const files: RawFile[] = parsed.map((f) => ({
    ...f,
    imports: f.imports.map((imp) => {
      if (paths.has(imp.path)) return imp;
      const same = byBase.get(basename(imp.path));
      return same?.length === 1 ? { ...imp, path: same[0] as string } : imp;
    }),
  }));
  const { types, errors } = linkProtoFiles(files);
  return {
    schema: new Schema(types),
    errors: [...parsed.flatMap((f) => f.errors), ...errors],
    files: [...paths],
  };
}

/**
 * Loads the schema from a folder: either an import root holding `object_detection/protos/*.proto`,
 * that `protos` folder itself, or any folder of `*.proto` files. Imports are followed within the
 * import root. Never throws: unreadable folders and files become errors.
 */
export async function loadSchemaFromProtoFolder(dir: string): Promise<ProtoSchemaResult> {
  const folder = resolve(dir);
  let root = folder;
  let protoDir = folder;
  let prefix = '';
  if (await isDirectory(join(folder, 'object_detection', 'protos'))) {
    protoDir = join(folder, 'object_detection', 'protos');
    prefix = 'object_detection/protos/';
  } else if (basename(folder) === 'protos' && basename(dirname(folder)) === 'object_detection') {
    root = dirname(dirname(folder));
    prefix = 'object_detection/protos/';
  }

  const sources = new Map<string, string>();
  const errors: ProtoError[] = [];
  const problem = (file: string, message: string): void => {
    errors.push({ file, line: 1, column: 1, message });
  };
  let names: string[] = [];
  try {
    names = (await readdir(protoDir)).filter((n) => n.endsWith('.proto')).sort();
  } catch (e) {
    problem(folder, `cannot read the folder: ${(e as Error).message}`);
  }
  if (names.length === 0 && errors.length === 0) problem(folder, 'no .proto files in the folder');

  const queue = names.map((n) => prefix + n);
  while (queue.length > 0) {
    const path = queue.shift() as string;
    if (sources.has(path)) continue;
    let text: string;
    try {
      text = await readFile(join(root, ...path.split('/')), 'utf8');
    } catch {
      continue; // reported by the linker as a missing import, at the import statement
    }
    sources.set(path, text);
    for (const m of text.matchAll(/^\s*import\s+(?:public\s+|weak\s+)?["']([^"']+)["']/gm)) {
      queue.push(m[1] as string);
    }
  }

  const result = schemaFromProtoSources(sources);
  const absolute = (file: string): string =>
    sources.has(file) ? join(root, ...file.split('/')) : file;
  errors.push(...result.errors.map((e) => ({ ...e, file: absolute(e.file) })));
  if (sources.size > 0) {
    for (const required of [PIPELINE_CONFIG, LABEL_MAP]) {
      if (!result.schema.message(required)) {
        problem(folder + sep, `the .proto files in this folder do not define ${required}`);
      }
    }
  }
  return { schema: result.schema, errors, files: result.files };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
