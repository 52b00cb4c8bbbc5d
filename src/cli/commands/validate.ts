import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { CommanderError, Option, type Command } from 'commander';
import { errorMessage, UserError } from '../../core/errors';
import { loadSchemaFromProtoFolder, type Schema } from '../../schema';
import {
  defaultSchema,
  isTextFormatPipelineConfig,
  LabelMapCache,
  NodeProjectHost,
  plainMessage,
  validateBytes,
  type ValidationDiagnostic,
} from '../../schema/validate';
import { LineIndex } from '../../textproto';

interface ValidateOptions {
  readonly json?: boolean;
  readonly protoPath?: string;
  readonly info?: boolean;
  readonly architecture?: string;
  readonly forTraining?: boolean;
  readonly plainQuotes?: boolean;
}

const TEXT_FORMAT_EXTENSIONS = new Set(['.config', '.pbtxt', '.textproto', '.txtpb', '.prototxt']);
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist']);

/**
 * `tfod validate <files or folders>`: the editor's diagnostics on the command line, one per line as
 * `path:line:col: error|warning: message` (or JSON), exit code 1 when any file has an error.
 */
export function register(program: Command): void {
  program
    .command('validate')
    .description(
      'Check pipeline configs and label maps with the verdict of the Object Detection API (errors fail training; warnings are for protoc and other tools)',
    )
    .argument(
      '<paths...>',
      'files, or folders searched for *.config, *.pbtxt, *.textproto, *.txtpb, *.prototxt',
    )
    .option('--json', 'print one JSON document with every file and diagnostic')
    .option(
      '--proto-path <dir>',
      'validate against the .proto files in this folder (a newer or forked API) instead of the built-in schema',
    )
    .addOption(new Option('--info', 'also print information (e.g. template placeholders)'))
    .option(
      '-a, --architecture <tag>',
      "the training image's ARCHITECTURE (2.9.1-gpu, 1.15.0, ...): checks TF1/TF2 fields, feature extractors and checkpoints against it (default: the version the config shows)",
    )
    .option(
      '--plain-quotes',
      "quote names with ' instead of Markdown backticks (the editor's tfod task passes it: its Problems panel shows plain text)",
    )
    .option(
      '--for-training',
      'the config is about to be trained or uploaded: template placeholders are errors',
    )
    .action(async (paths: string[], options: ValidateOptions, command: Command) => {
      const output = command.configureOutput();
      const writeOut = (text: string) => output.writeOut?.(text);
      const schema = await loadSchema(options.protoPath);
      if (options.architecture !== undefined && !/^[12]\./.test(options.architecture.trim()))
        throw new UserError(
          `--architecture ${options.architecture} names no TensorFlow version`,
          'Give the image tag, e.g. 2.9.1-gpu, 2.9.1, 1.15.0-gpu or 1.15.0.',
        );
      const target = {
        architecture: options.architecture,
        purpose: options.forTraining ? ('train' as const) : ('edit' as const),
      };
      const { files, unreadable } = collectFiles(paths);
      if (files.length === 0 && unreadable.length === 0)
        throw new UserError(
          `no configs or label maps to check in ${paths.join(', ')}`,
          'Give pipeline.config or label map files, or folders that hold *.config (text format), *.pbtxt, *.textproto, *.txtpb or *.prototxt files.',
        );
      const roots = [
        ...new Set([process.cwd(), ...paths.filter(isDirectory).map((p) => resolve(p))]),
      ];
      const host = new NodeProjectHost(roots);
      const labelMaps = new LabelMapCache(host, schema);
      const report: { path: string; diagnostics: ReturnType<typeof located>[] }[] = [];
      let errors = 0;
      let warnings = 0;
      // A file or folder that cannot be read is an error of its own; the rest is still checked.
      let notRead = 0;
      const cannotRead = (path: string, why: string) => {
        errors++;
        notRead++;
        const display = displayPath(path);
        const message = `cannot be read: ${why}`;
        report.push({
          path: display,
          diagnostics: [{ ...UNREADABLE, message }],
        });
        if (!options.json) writeOut(`${display}:1:1: error: ${message}\n`);
      };
      for (const { path, why } of unreadable) cannotRead(path, why);
      for (const file of files) {
        let bytes: Buffer;
        try {
          bytes = readFileSync(file);
        } catch (error) {
          cannotRead(file, readProblem(error));
          continue;
        }
        const result = validateBytes(bytes, { schema, path: file, host, labelMaps, target });
        const lines = new LineIndex(result.text);
        const shown = result.diagnostics.filter(
          (d) => options.json || options.info || d.severity !== 'information',
        );
        const entries = shown.map((d) => located(d, lines));
        errors += shown.filter((d) => d.severity === 'error').length;
        warnings += shown.filter((d) => d.severity === 'warning').length;
        const display = displayPath(file);
        report.push({ path: display, diagnostics: entries });
        if (!options.json)
          for (const e of entries)
            writeOut(
              `${display}:${e.line}:${e.column}: ${e.severity === 'information' ? 'info' : e.severity}: ${options.plainQuotes ? plainMessage(e.message) : e.message}\n`,
            );
      }
      if (options.json)
        writeOut(`${JSON.stringify({ files: report, errors, warnings }, null, 2)}\n`);
      else if (files.length + unreadable.length > 1 || errors + warnings > 0) {
        const checked = files.length + unreadable.length - notRead;
        writeOut(
          `${plural(checked, 'file')} checked${notRead ? `, ${notRead} could not be read` : ''}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`,
        );
      }
      // Exit code 1, with the summary above as the only message.
      if (errors > 0) throw new CommanderError(1, 'tfod.validate.errors', '');
    });
}

function located(d: ValidationDiagnostic, lines: LineIndex) {
  const start = lines.positionAt(d.offset);
  const end = lines.positionAt(d.offset + d.length);
  return {
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
    severity: d.severity,
    code: d.code,
    origin: d.origin,
    message: d.message,
  };
}

async function loadSchema(protoPath: string | undefined): Promise<Schema> {
  if (!protoPath) return defaultSchema();
  if (!isDirectory(protoPath))
    throw new UserError(
      `--proto-path ${protoPath} is not a folder`,
      'Give the folder that holds object_detection/protos/*.proto (or the .proto files themselves).',
    );
  const loaded = await loadSchemaFromProtoFolder(protoPath);
  if (loaded.files.length === 0)
    throw new UserError(
      `No .proto files in ${protoPath}`,
      'Give the folder that holds object_detection/protos/*.proto.',
    );
  return loaded.schema;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A path as the user would type it here: relative below the working folder, else absolute. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** What `stat`, `readdir` or `readFile` said, in words a user can act on. */
function readProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied; check its permissions (ls -l) or run as a user who may read it';
    case 'ENOENT':
      return 'it does not exist';
    case 'EISDIR':
      return 'it is a folder';
    case 'ELOOP':
      return 'a symbolic link loop';
    default:
      return errorMessage(error);
  }
}

/** The diagnostic of a path that could not be read (no line: the whole file). */
const UNREADABLE = {
  line: 1,
  column: 1,
  endLine: 1,
  endColumn: 1,
  severity: 'error' as const,
  code: 'unreadable',
  origin: 'project' as const,
  message: '',
};

interface CollectedFiles {
  readonly files: string[];
  /** Paths given, or found in folders, that could not be read, and why. */
  readonly unreadable: { readonly path: string; readonly why: string }[];
}

function collectFiles(paths: readonly string[]): CollectedFiles {
  const files: string[] = [];
  const unreadable: { path: string; why: string }[] = [];
  for (const path of paths) {
    let stats;
    try {
      stats = statSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && paths.length === 1)
        throw new UserError(
          `${path} does not exist`,
          'Give config or label map files, or folders that hold them.',
        );
      unreadable.push({ path: resolve(path), why: readProblem(error) });
      continue;
    }
    if (stats.isFile()) files.push(resolve(path));
    else if (stats.isDirectory()) files.push(...walk(resolve(path), unreadable));
    else
      unreadable.push({
        path: resolve(path),
        why: 'it is not a file or a folder (a device, pipe or socket); give a config or label map file',
      });
  }
  return { files, unreadable };
}

function walk(dir: string, unreadable: { path: string; why: string }[]): string[] {
  const out: string[] = [];
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch (error) {
      unreadable.push({ path: current, why: readProblem(error) });
      continue;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) stack.push(path);
      } else if (entry.isFile() && TEXT_FORMAT_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
        // A folder may hold XML *.config files (web.config): only text-format configs are checked.
        if (extname(entry.name).toLowerCase() === '.config') {
          let text: string;
          try {
            text = readFileSync(path, 'utf8');
          } catch (error) {
            unreadable.push({ path, why: readProblem(error) });
            continue;
          }
          if (!isTextFormatPipelineConfig(text)) continue;
        }
        out.push(path);
      }
    }
  }
  return out.sort();
}
