import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobsNode } from '../../../src/extension/views/nodes';
import {
  endpointContextValue,
  jobContextValue,
  modelContextValue,
} from '../../../src/extension/views/presentation';

/** The contextValue the jobs view sets on a node (src/extension/views/jobsView.ts). */
export function contextValue(node: JobsNode): string {
  switch (node.type) {
    case 'job':
      return jobContextValue(node.entry.summary, node.entry.details);
    case 'model':
      return modelContextValue(node.kind);
    case 'endpoint':
      return endpointContextValue(node.endpoint);
    default:
      return `${node.type} ${node.kind}`;
  }
}

/** The `viewItem =~ /.../` of a command's item in the jobs view's context menu. */
export function jobsMenu(command: string): RegExp {
  const manifest = JSON.parse(
    readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'),
  ) as {
    contributes: { menus: Record<string, { command: string; when?: string }[]> };
  };
  const entries = manifest.contributes.menus['view/item/context']!.filter(
    (e) => e.command === command,
  );
  assert.equal(entries.length, 1);
  const when = entries[0]!.when ?? '';
  assert.match(when, /^view == tfod\.views\.jobs && viewItem =~ \//);
  const source = /viewItem =~ \/(.*)\/$/.exec(when)?.[1];
  assert.ok(source, when);
  return new RegExp(source);
}
