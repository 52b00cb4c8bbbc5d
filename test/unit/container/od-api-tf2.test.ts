import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

// container/od_api_tf2.py's choice of the API's loop settings, which make a job train exactly
// num_steps steps and checkpoint its last one. Its helpers import nothing from TensorFlow, so
// they run with any python3 (the training layer runs the whole script with TensorFlow).
const script = join(__dirname, '..', '..', '..', 'container');

function choices(steps: number[]): Array<[number, number, number, number]> {
  const code = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(script)})`,
    'import od_api_tf2 as o',
    `print(json.dumps([[n, o.iteration_size(n), o.checkpoint_interval(n, o.iteration_size(n)), o.log_interval(n, o.iteration_size(n))] for n in ${JSON.stringify(steps)}]))`,
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', code], { encoding: 'utf8' })) as Array<
    [number, number, number, number]
  >;
}

describe('od_api_tf2.py: the loop settings for a job of num_steps', () => {
  const steps = [1, 7, 50, 99, 100, 101, 150, 250, 1000, 1009, 2300, 2500, 25_000, 100_003];

  it('divides num_steps into whole iterations and checkpoints at the last step', () => {
    for (const [n, iteration, interval, logEvery] of choices(steps)) {
      assert.ok(
        logEvery >= iteration && logEvery <= Math.max(100, iteration),
        `${n}: loss lines every ${logEvery} steps`,
      );
      assert.equal(n % iteration, 0, `${n}: the iteration ${iteration} divides it`);
      assert.ok(iteration <= 100, `${n}: at most the API's 100 steps per iteration`);
      assert.equal(interval % iteration, 0, `${n}: checkpoints fall on iteration ends`);
      assert.equal(n % interval, 0, `${n}: the checkpoint interval ${interval} divides it`);
      assert.ok(
        interval <= Math.max(1000, iteration) || interval === n,
        `${n}: at most the API's 1,000, or once at the end`,
      );
      assert.ok(n / interval <= 100, `${n}: at most 100 saves, not ${n / interval}`);
    }
  });

  it('checkpoints every quarter of a short job, so an interrupted job loses little', () => {
    for (const [n, , interval] of choices([40, 100, 150, 200, 1000, 2500]))
      assert.ok(interval * 4 <= n, `${n} steps: a checkpoint every ${interval}`);
  });

  it('logs several times in short jobs and keeps the API defaults in long ones', () => {
    const byN = new Map(choices([100, 50, 101, 25_000]).map(([n, ...rest]) => [n, rest]));
    assert.deepEqual(
      byN.get(100),
      [25, 25, 25],
      'four loss lines and checkpoints for the sample job',
    );
    assert.deepEqual(byN.get(50), [10, 10, 10], 'the last step is logged');
    // A prime: one step per iteration, yet a loss line every 25 steps, not every step, and one
    // checkpoint, at the end, not one per step.
    assert.deepEqual(byN.get(101), [1, 101, 25]);
    assert.deepEqual(byN.get(25_000), [100, 1000, 100]);
  });

  it('a resumed job divides the steps still to run, so it still ends exactly at num_steps', () => {
    const code = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(script)})`,
      'import od_api_tf2 as o',
      'print(json.dumps([o.loop_settings(n, r) for n, r in [(150, 100), (150, 0), (25000, 3000), (25000, 24000), (100, 100), (100, 0)]]))',
    ].join('\n');
    const settings = JSON.parse(
      execFileSync('python3', ['-c', code], { encoding: 'utf8' }),
    ) as Array<[number, number, number]>;
    const cases: Array<[number, number]> = [
      [150, 100],
      [150, 0],
      [25_000, 3000],
      [25_000, 24_000],
      [100, 100],
      [100, 0],
    ];
    cases.forEach(([n, resumed], i) => {
      const [iteration, interval] = settings[i] ?? [0, 0];
      const remaining = n - resumed || n;
      assert.equal(remaining % iteration, 0, `${n} from ${resumed}: iteration ${iteration}`);
      assert.equal(remaining % interval, 0, `${n} from ${resumed}: interval ${interval}`);
    });
    // From step 100 of 150 the loop runs 50 steps (not iterations of 30, to 160).
    assert.deepEqual(settings[0]?.slice(0, 2), [10, 10]);
    assert.deepEqual(settings[1]?.slice(0, 2), [30, 30], 'a fresh job is unchanged');
    // A spot job restarted from a 1,000-step checkpoint keeps the API's 100 and 1,000.
    assert.deepEqual(settings[2]?.slice(0, 2), [100, 1000]);
  });
});
