import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError } from '../../../src/core/errors';
import { runFlow, type Flow } from '../../../src/extension/flows/flow';
import { BACK_BUTTON, ENTER, ESCAPE, ScriptedUi, type Action } from './scriptedUi';

interface Order {
  name: string;
  size: 'small' | 'large';
  extra: number;
  folder: string;
}

const START: Order = { name: 'first', size: 'small', extra: 0, folder: '' };

/** Three steps and a conditional one between them: the extra only for a large order. */
const ORDER: Flow<Order> = {
  title: 'Order',
  steps: [
    {
      ask: async (s, ask) => ({
        name: await ask.text({
          prompt: 'Name',
          value: s.name,
          validate: (v) => (v ? undefined : 'Give a name'),
        }),
      }),
    },
    {
      ask: async (s, ask) => {
        const items = [
          { label: 'Small', size: 'small' as const },
          { label: 'Large', size: 'large' as const },
        ];
        const picked = await ask.pick({
          items,
          placeHolder: 'Size',
          active: items.find((i) => i.size === s.size),
        });
        return { size: picked.size };
      },
    },
    {
      when: (s) => s.size === 'large',
      ask: async (s, ask) => ({
        extra: await ask.number({ prompt: 'Extra', value: s.extra, min: 1, max: 9, unit: 'boxes' }),
      }),
    },
    {
      ask: async (s, ask) => ({
        folder: await ask.text({
          prompt: 'Folder',
          value: s.folder,
          browse: { base: '/work', folders: true, files: false },
        }),
      }),
    },
  ],
};

async function play(script: readonly Action[], start: Order = START) {
  const ui = new ScriptedUi(script);
  const result = await runFlow(ui, ORDER, start);
  assert.ok(ui.done, 'the whole script was played');
  return { ui, result };
}

describe('guided flows (runner)', () => {
  it('asks every step in order, titled (n/total), with Back from the second step on', async () => {
    const { ui, result } = await play([{ type: ' mine ' }, ENTER, { type: 'data' }]);
    assert.deepEqual(result, { name: 'mine', size: 'small', extra: 0, folder: 'data' });
    assert.deepEqual(
      ui.shown.map((s) => [s.title, s.canGoBack]),
      [
        ['Order (1/3)', false],
        ['Order (2/3)', true],
        ['Order (3/3)', true],
      ],
    );
  });

  it('counts a conditional step once it applies, and its answer goes into the result', async () => {
    const { ui, result } = await play([ENTER, { pick: 'Large' }, { type: '3' }, ENTER]);
    assert.deepEqual(
      ui.shown.map((s) => s.title),
      ['Order (1/3)', 'Order (2/3)', 'Order (3/4)', 'Order (4/4)'],
    );
    assert.deepEqual(result, { name: 'first', size: 'large', extra: 3, folder: '' });
  });

  it('counts a conditional step from the start when the defaults make it apply', async () => {
    const { ui } = await play([ENTER, ENTER, ENTER, ENTER], { ...START, size: 'large', extra: 2 });
    assert.deepEqual(
      ui.shown.map((s) => s.title),
      ['Order (1/4)', 'Order (2/4)', 'Order (3/4)', 'Order (4/4)'],
    );
  });

  it('goes Back to the previous step with its answer filled in, and on again', async () => {
    const { ui, result } = await play([
      { type: 'mine' },
      { pick: 'Large' },
      BACK_BUTTON, // at the extra: back to the size, Large active
      ENTER,
      BACK_BUTTON, // at the extra again: back to the size
      BACK_BUTTON, // back to the name, 'mine' filled in
      ENTER,
      ENTER, // Large, still
      { type: '4' },
      { type: '/tmp' },
    ]);
    assert.deepEqual(
      ui.shown.map((s) => [s.title, s.value]),
      [
        ['Order (1/3)', 'first'],
        ['Order (2/3)', 'Small'],
        ['Order (3/4)', '0'],
        ['Order (2/4)', 'Large'],
        ['Order (3/4)', '0'],
        ['Order (2/4)', 'Large'],
        ['Order (1/4)', 'mine'],
        ['Order (2/4)', 'Large'],
        ['Order (3/4)', '0'],
        ['Order (4/4)', ''],
      ],
    );
    assert.deepEqual(result, { name: 'mine', size: 'large', extra: 4, folder: '/tmp' });
  });

  it('changing an answer going back drops the steps that no longer apply, and their answers', async () => {
    const { ui, result } = await play([
      ENTER,
      { pick: 'Large' },
      { type: '5' },
      BACK_BUTTON, // at the folder: back to the extra, 5 filled in
      BACK_BUTTON, // back to the size
      { pick: 'Small' },
      BACK_BUTTON, // at the folder: back to the size, past no extra
      ENTER,
      { type: 'out' },
    ]);
    assert.deepEqual(
      ui.shown.map((s) => [s.title, s.value]),
      [
        ['Order (1/3)', 'first'],
        ['Order (2/3)', 'Small'],
        ['Order (3/4)', '0'],
        ['Order (4/4)', ''],
        ['Order (3/4)', '5'],
        ['Order (2/4)', 'Large'],
        ['Order (3/3)', ''],
        ['Order (2/3)', 'Small'],
        ['Order (3/3)', ''],
      ],
    );
    assert.deepEqual(result, { name: 'first', size: 'small', extra: 0, folder: 'out' });
  });

  it('keeps the validation messages and refuses Enter until the answer is valid', async () => {
    const { ui, result } = await play([
      { type: '   ' },
      { type: 'ok' },
      { pick: 'Large' },
      { type: '12' },
      { type: 'x' },
      { type: '9' },
      ENTER,
    ]);
    assert.deepEqual(ui.shown[0]!.messages, ['Give a name']);
    assert.deepEqual(ui.shown[2]!.messages, [
      'A whole number of boxes from 1 to 9',
      'A whole number of boxes from 1 to 9',
    ]);
    assert.equal(result.extra, 9);
  });

  it('cancels the whole flow on Escape, at any step', async () => {
    const ui = new ScriptedUi([ENTER, { pick: 'Large' }, BACK_BUTTON, ESCAPE]);
    await assert.rejects(runFlow(ui, ORDER, START), CancelledError);
    assert.equal(ui.shown.length, 4);
  });

  it('puts the path chosen with Browse… into the step, opened at what is typed', async () => {
    const { ui, result } = await play([ENTER, ENTER, { browse: '/elsewhere/chosen' }, ENTER], {
      ...START,
      folder: 'data',
    });
    assert.equal(result.folder, '/elsewhere/chosen');
    assert.deepEqual(ui.dialogs, [
      { title: 'Order', start: '/work/data', folders: true, files: false },
    ]);
    assert.deepEqual(ui.shown[2]!.browse, { base: '/work', folders: true, files: false });
  });

  it('a closed dialog leaves the typed path as it was', async () => {
    const { ui, result } = await play([ENTER, ENTER, { browse: '' }, { type: 'typed' }]);
    assert.equal(result.folder, 'typed');
    assert.deepEqual(
      ui.dialogs.map((d) => d.start),
      ['/work'],
    );
  });
});

describe('guided flows (derived defaults)', () => {
  interface Image {
    architecture: string;
    /** Empty: derived from the architecture. */
    image: string;
    push: boolean;
  }
  const IMAGE: Flow<Image> = {
    title: 'Image',
    steps: [
      {
        ask: async (s, ask) => {
          const items = [{ label: 'cpu' }, { label: 'gpu' }];
          const { label } = await ask.pick({
            items,
            placeHolder: 'Architecture',
            active: items.find((i) => i.label === s.architecture),
          });
          // Another architecture, another image name.
          return label === s.architecture
            ? { architecture: label }
            : { architecture: label, image: '' };
        },
      },
      {
        ask: async (s, ask) => ({
          image: await ask.text({ prompt: 'Image', value: s.image || `tfod:${s.architecture}` }),
        }),
      },
      {
        ask: async (_s, ask) => ({
          push:
            (await ask.pick({ items: [{ label: 'Push' }, { label: 'Keep' }], placeHolder: '' }))
              .label === 'Push',
        }),
      },
    ],
  };
  const START: Image = { architecture: 'cpu', image: '', push: false };

  it('keeps a typed answer when the answer it derives from stays', async () => {
    const ui = new ScriptedUi([
      ENTER,
      { type: 'mine' },
      BACK_BUTTON,
      BACK_BUTTON,
      ENTER,
      ENTER,
      ENTER,
    ]);
    const result = await runFlow(ui, IMAGE, START);
    assert.deepEqual(
      ui.shown.map((s) => s.value),
      ['cpu', 'tfod:cpu', 'Push', 'mine', 'cpu', 'mine', 'Push'],
    );
    assert.equal(result.image, 'mine');
  });

  it('derives the default again when a step resets it (another architecture)', async () => {
    const ui = new ScriptedUi([
      ENTER,
      { type: 'mine' },
      BACK_BUTTON,
      BACK_BUTTON,
      { pick: 'gpu' },
      ENTER,
      ENTER,
    ]);
    const result = await runFlow(ui, IMAGE, START);
    assert.deepEqual(
      ui.shown.map((s) => s.value),
      ['cpu', 'tfod:cpu', 'Push', 'mine', 'cpu', 'tfod:gpu', 'Push'],
    );
    assert.equal(result.image, 'tfod:gpu');
  });
});
