// `npm run package`: a production build and an installable .vsix in dist/, with its size and
// contents printed. vsce runs `vscode:prepublish` (the production build) itself.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
export const vsixPath = join(root, 'dist', `${pkg.name}-${pkg.version}.vsix`);

const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--out', vsixPath], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
});
const size = statSync(vsixPath).size;
console.log(`packaged ${relative(root, vsixPath)} (${(size / 1024).toFixed(0)} KiB)`);
