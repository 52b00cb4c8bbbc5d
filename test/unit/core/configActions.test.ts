import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CONFIG_ACTIONS,
  configActions,
  isTrainingConfig,
} from '../../../src/core/jobs/configActions';

const root = join(__dirname, '..', '..', '..');
const contributes = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).contributes;

/** A `when` clause of `||` over `&&` over `key == value` or a bare key, as VS Code reads it. */
function evaluate(when: string, keys: Record<string, string | boolean>): boolean {
  return when.split('||').some((any) =>
    any.split('&&').every((part) => {
      const clause = part.trim();
      const comparison = /^([\w:]+)\s*(==|!=)\s*(\S+)$/.exec(clause);
      if (comparison) {
        const [, key, op, value] = comparison;
        assert.ok(key! in keys, `unknown key ${key}`);
        return (keys[key!] === value) === (op === '==');
      }
      assert.ok(clause in keys, `unknown key ${clause}`);
      return Boolean(keys[clause]);
    }),
  );
}

const documents = [
  // [path, language id, trusted, offers the actions]
  ['/w/project/pipeline.config', 'textproto', true, true],
  ['C:\\w\\project\\pipeline.config', 'textproto', true, true],
  ['/w/zoo/ssd_mobilenet_v2_320x320_coco17_tpu-8.config', 'textproto', true, true],
  ['/w/site/web.config', 'xml', true, false],
  ['/w/project/label_map.pbtxt', 'textproto', true, false],
  ['/w/project/pipeline.config', 'textproto', false, false],
] as const;

describe('actions on a training config (editor title, CodeLens)', () => {
  it('are offered on pipeline.config and text-format *.config, not on XML configs or label maps', () => {
    for (const [path, language, , offered] of documents.filter(([, , trusted]) => trusted)) {
      assert.equal(isTrainingConfig(path, language), offered, path);
      assert.deepEqual(
        configActions(path, language).map((a) => a.title),
        offered ? ['Train with this Config', 'Validate'] : [],
        path,
      );
    }
  });

  it('run contributed commands, shown in the editor title exactly where the CodeLens is', () => {
    const contributed = new Set(contributes.commands.map((c: { command: string }) => c.command));
    const titleMenu = contributes.menus['editor/title'] as { command: string; when: string }[];
    for (const action of CONFIG_ACTIONS) {
      assert.ok(contributed.has(action.command), action.command);
      const entry = titleMenu.find((e) => e.command === action.command);
      assert.ok(entry, `${action.command} in editor/title`);
      for (const [path, language, trusted, offered] of documents) {
        const name = path.split(/[\\/]/).pop()!;
        const keys = {
          isWorkspaceTrusted: trusted,
          resourceFilename: name,
          resourceExtname: name.slice(name.lastIndexOf('.')),
          editorLangId: language,
        };
        assert.equal(evaluate(entry.when, keys), offered, `${action.command} on ${path}`);
      }
    }
  });
});
