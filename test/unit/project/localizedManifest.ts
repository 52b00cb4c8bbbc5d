// package.json as VS Code shows it in English: every "%key%" string replaced by its text in
// package.nls.json. Tests that read titles, welcome contents or walkthrough steps read this.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const NLS_KEY = /^%([\w.-]+)%$/;

/** The manifest, as loosely typed as JSON.parse's result (the tests index into it freely). */
export function readLocalizedManifest(root: string): ReturnType<typeof JSON.parse> {
  const nls = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8')) as Record<
    string,
    string
  >;
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'), (_key, value: unknown) => {
    if (typeof value !== 'string') return value;
    const key = NLS_KEY.exec(value)?.[1];
    return key !== undefined && key in nls ? nls[key] : value;
  });
}
