import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTick, layoutSeries, niceTicks, scale } from '../../../media/metrics/chart';
import { isMetricsPanelState, isWebviewMessage } from '../../../src/extension/metrics/protocol';

describe('the metrics chart', () => {
  it('puts axis ticks at 1, 2 or 5 × 10^n, covering the data', () => {
    assert.deepEqual(niceTicks(0, 1000, 5), [0, 200, 400, 600, 800, 1000]);
    assert.deepEqual(niceTicks(0.13, 0.92, 4), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    const flat = niceTicks(0.5, 0.5);
    assert.ok(flat.length >= 2 && (flat[0] ?? 1) <= 0.5 && (flat[flat.length - 1] ?? 0) >= 0.5);
    assert.deepEqual(niceTicks(Number.NaN, 1), []);
  });

  it('maps steps left to right and larger values higher up', () => {
    const y = scale([0, 1], [100, 0]);
    assert.equal(y(0), 100);
    assert.equal(y(1), 0);
    const layout = layoutSeries(
      [
        { step: 200, value: 0.5 },
        { step: 100, value: 1 },
      ],
      { left: 0, top: 0, width: 200, height: 100 },
    );
    assert.match(layout.path, /^M\d+\.\d \d+\.\d L\d+\.\d \d+\.\d$/);
    const [first, second] = layout.path
      .split(' L')
      .map((p) => p.replace('M', '').split(' ').map(Number));
    assert.ok((first?.[0] ?? 0) < (second?.[0] ?? 0), 'ordered by step');
    assert.ok((first?.[1] ?? 0) < (second?.[1] ?? 0), 'loss 1 is drawn above loss 0.5');
  });

  it('writes short tick labels', () => {
    assert.equal(formatTick(12000), '12k');
    assert.equal(formatTick(2500000), '2.5M');
    assert.equal(formatTick(0.25), '0.25');
    assert.equal(formatTick(0.000123), '1.2e-4');
  });

  it('accepts only well-formed messages and restorable state', () => {
    assert.ok(isWebviewMessage({ type: 'ready' }));
    assert.ok(isWebviewMessage({ type: 'refresh', requestId: 3 }));
    assert.ok(!isWebviewMessage({ type: 'refresh' }));
    assert.ok(!isWebviewMessage({ type: 'run', command: 'rm -rf' }));
    assert.ok(isMetricsPanelState({ target: 'sagemaker', job: 'tfod-1' }));
    assert.ok(!isMetricsPanelState({ target: 'mars', job: 'tfod-1' }));
    assert.ok(!isMetricsPanelState(undefined));
  });
});
