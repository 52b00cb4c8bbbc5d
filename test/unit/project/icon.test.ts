// The Marketplace icon (package.json `icon`): a 128 x 128 PNG that ships, and still the picture
// scripts/icon.mjs draws from media/icons/tfod.svg (regenerate it with `node scripts/icon.mjs`
// after changing the SVG). The file icons of configs and label maps ship as SVGs for both themes.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PNG } from 'pngjs';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

interface IconScript {
  renderIcon: () => { width: number; height: number; data: Buffer };
  PNG_PATH: string;
}

describe('extension icon', () => {
  it('is a 128 x 128 PNG drawn by scripts/icon.mjs from the SVG design, and ships', async () => {
    assert.equal(pkg.icon, 'media/icons/tfod.png');
    const script = (await import(join(root, 'scripts', 'icon.mjs'))) as IconScript;
    assert.equal(script.PNG_PATH, join(root, pkg.icon));
    const committed = PNG.sync.read(readFileSync(join(root, pkg.icon)));
    assert.deepEqual([committed.width, committed.height], [128, 128]);
    const drawn = script.renderIcon();
    // One sample of 64 per pixel may fall the other way on another runtime's floating point.
    let worst = 0;
    for (let i = 0; i < drawn.data.length; i++)
      worst = Math.max(worst, Math.abs((drawn.data[i] ?? 0) - (committed.data[i] ?? 0)));
    assert.ok(worst <= 8, `media/icons/tfod.png is stale (off by ${worst}): node scripts/icon.mjs`);
    // The tile's corners are transparent, its middle opaque, and the outline is drawn in white.
    const alpha = (x: number, y: number) => committed.data[(y * 128 + x) * 4 + 3];
    assert.equal(alpha(0, 0), 0);
    assert.equal(alpha(64, 64), 255);
    const white = (x: number, y: number) =>
      committed.data.subarray((y * 128 + x) * 4, (y * 128 + x) * 4 + 3).every((c) => c > 240);
    assert.ok(white(64, Math.round((4 * 128) / 24)), 'the frame crosses the top middle');
    const shipped = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n');
    assert.ok(shipped.includes('!media/icons/**'));
  });

  it('gives text-format files an icon for light and dark themes', () => {
    const language = pkg.contributes.languages.find((l: { id: string }) => l.id === 'textproto');
    for (const theme of ['light', 'dark'])
      assert.ok(existsSync(join(root, language.icon[theme])), theme);
  });
});
