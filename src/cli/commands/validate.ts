import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { CommanderError, Option, type Command } from 'commander';
import { UserError } from '../../core/errors';
import { loadSchemaFromProtoFolder, type Schema } from '../../schema';
import {
  defaultSchema,
  isTextFormatPipelineConfig,
  LabelMapCache,
  NodeProjectHost,
  validateBytes,
  type ValidationDiagnostic,
} from '../../schema/validate';
import { LineIndex } from '../../textproto';

interface ValidateOptions {
  readonly json?: boolean;
  readonly protoPath?: string;
  readonly info?: boolean;
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
    .action(async (paths: string[], options: ValidateOptions, command: Command) => {
      const output = command.configureOutput();
      const writeOut = (text: string) => output.writeOut?.(text);
      const schema = await loadSchema(options.protoPath);
      const files = collectFiles(paths);
      const roots = [
        ...new Set([process.cwd(), ...paths.filter(isDirectory).map((p) => resolve(p))]),
      ];
      const host = new NodeProjectHost(roots);
      const labelMaps = new LabelMapCache(host, schema);
      const report: { path: string; diagnostics: ReturnType<typeof located>[] }[] = [];
      let errors = 0;
      let warnings = 0;
      for (const file of files) {
        const result = validateBytes(readFileSync(file), { schema, path: file, host, labelMaps });
        const lines = new LineIndex(result.text);
        const shown = result.diagnostics.filter(
          (d) => options.json || options.info || d.severity !== 'information',
        );
        const entries = shown.map((d) => located(d, lines));
        errors += shown.filter((d) => d.severity === 'error').length;
        warnings += shown.filter((d) => d.severity === 'warning').length;
        const display = relative(process.cwd(), file) || file;
        report.push({ path: display, diagnostics: entries });
        if (!options.json)
          for (const e of entries)
            writeOut(
              `${display}:${e.line}:${e.column}: ${e.severity === 'information' ? 'info' : e.severity}: ${e.message}\n`,
            );
      }
      if (options.json)
        writeOut(`${JSON.stringify({ files: report, errors, warnings }, null, 2)}\n`);
      else if (files.length > 1 || errors + warnings > 0)
        writeOut(
          `${files.length} file${files.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`,
        );
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

function collectFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      throw new UserError(
        `${path} does not exist`,
        'Give config or label map files, or folders that hold them.',
      );
    }
    if (stats.isFile()) files.push(resolve(path));
    else if (stats.isDirectory()) files.push(...walk(resolve(path)));
  }
  return files;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) stack.push(path);
      } else if (entry.isFile() && TEXT_FORMAT_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
        // A folder may hold XML *.config files (web.config): only text-format configs are checked.
        if (
          extname(entry.name).toLowerCase() === '.config' &&
          !isTextFormatPipelineConfig(readFileSync(path, 'utf8'))
        )
          continue;
        out.push(path);
      }
    }
  }
  return out.sort();
}
