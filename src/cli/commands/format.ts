import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { CommanderError, type Command } from 'commander';
import { UserError } from '../../core/errors';
import { formatText, LineIndex } from '../../textproto';

interface FormatOptions {
  readonly check?: boolean;
}

/**
 * `tfod format <files>`: rewrites pipeline configs and label maps in the canonical layout (the
 * editor's Format Document, the same printer). `--check` writes nothing and exits 1 when a file
 * would change. A file with syntax errors is left alone and fails the command.
 */
export function register(program: Command): void {
  program
    .command('format')
    .description(
      'Format pipeline configs and label maps in the canonical layout (2-space indent, one field per line, comments kept)',
    )
    .argument('<files...>', 'text-format files (*.config, *.pbtxt, ...)')
    .option('--check', 'write nothing; list the files that would change and exit 1 if any would')
    .action((files: string[], options: FormatOptions, command: Command) => {
      const output = command.configureOutput();
      const writeOut = (text: string) => output.writeOut?.(text);
      const writeErr = (text: string) => output.writeErr?.(text);
      let changed = 0;
      let broken = 0;
      for (const file of files) {
        const path = resolve(file);
        let isFile = false;
        try {
          isFile = statSync(path).isFile();
        } catch {
          isFile = false;
        }
        if (!isFile)
          throw new UserError(
            `${file} is not a file`,
            'Give the config or label map files to format.',
          );
        const text = readFileSync(path, 'utf8');
        const result = formatText(text);
        const shown = relative(process.cwd(), path) || path;
        if (result.skipped) {
          broken++;
          const first = result.diagnostics.find((d) => d.severity === 'error');
          const at = first ? new LineIndex(text).positionAt(first.offset) : undefined;
          writeErr(
            `${shown}${at ? `:${at.line + 1}:${at.character + 1}` : ''}: not formatted: ${first?.message ?? 'syntax error'}\n`,
          );
          continue;
        }
        if (!result.changed) continue;
        changed++;
        if (options.check) writeOut(`${shown}: would be reformatted\n`);
        else {
          writeFileSync(path, result.text);
          writeOut(`${shown}: formatted\n`);
        }
      }
      const n = files.length;
      writeOut(
        `${n} file${n === 1 ? '' : 's'}: ${changed} ${options.check ? 'would change' : 'formatted'}${broken ? `, ${broken} with syntax errors left alone` : ''}\n`,
      );
      if (broken > 0 || (options.check && changed > 0))
        throw new CommanderError(1, 'tfod.format.changes', '');
    });
}
