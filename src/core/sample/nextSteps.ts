import { readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SampleProject } from './project';

/**
 * What the palette's "Create Sample Project" and `tfod sample` say about a sample project: where
 * it may go, and how to fetch the pre-trained checkpoint it fine-tunes (not bundled: 20 MB from
 * the TF2 model zoo).
 */

/** Why a sample project cannot be written to `dir`, or undefined when it is new or empty. */
export function sampleFolderProblem(dir: string): string | undefined {
  if (!dir.trim()) return 'Give a folder for the sample project';
  let info;
  try {
    info = statSync(dir);
  } catch {
    return undefined; // created when written
  }
  if (!info.isDirectory()) return `${dir} is a file; give a new or empty folder`;
  if (readdirSync(dir).length > 0) return `${dir} already holds files; give a new or empty folder`;
  return undefined;
}

/** The shell command that downloads the checkpoint into the sample's model folder. */
export function checkpointDownloadCommand(project: SampleProject): string {
  const folder = shellQuote(resolve(project.dir, project.checkpoint.folder));
  return `mkdir -p ${folder} && curl -fL ${project.checkpoint.url} | tar -xz --strip-components=1 -C ${folder}`;
}

/** A POSIX shell word for `text`: single quotes, a quote inside written as '\''. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** One line on what was written. */
export function sampleSummary(project: SampleProject): string {
  const boxes = project.images.reduce((sum, image) => sum + image.boxes.length, 0);
  const files = project.files.filter((f) => !f.startsWith('images/')).length;
  return `${project.images.length} images with ${boxes} boxes in ${files} files`;
}
