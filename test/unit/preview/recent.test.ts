import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isRememberable,
  MAX_RECENT_SOURCES,
  readRecentSources,
  rememberSource,
  type RecentSource,
} from '../../../src/core/preview/recent';

const model = (path: string): RecentSource => ({ source: { kind: 'model', path } });
const url = (u: string): RecentSource => ({ source: { kind: 'url', url: u } });
const endpoint = (name: string): RecentSource => ({
  source: { kind: 'sagemaker', endpoint: name },
});

describe('preview: recent sources', () => {
  it('puts the source used last first, and moves one used again to the front', () => {
    let recent: RecentSource[] = [];
    recent = rememberSource(recent, model('/w/models/a'));
    recent = rememberSource(recent, endpoint('prod'));
    recent = rememberSource(recent, url('http://127.0.0.1:8080'));
    assert.deepEqual(recent, [
      url('http://127.0.0.1:8080'),
      endpoint('prod'),
      model('/w/models/a'),
    ]);
    recent = rememberSource(recent, model('/w/models/a'));
    assert.deepEqual(recent, [
      model('/w/models/a'),
      url('http://127.0.0.1:8080'),
      endpoint('prod'),
    ]);
  });

  it(`keeps the last ${MAX_RECENT_SOURCES}`, () => {
    let recent: RecentSource[] = [];
    for (let i = 1; i <= 8; i++) recent = rememberSource(recent, endpoint(`e${i}`));
    assert.deepEqual(
      recent.map((r) => (r.source.kind === 'sagemaker' ? r.source.endpoint : '')),
      ['e8', 'e7', 'e6', 'e5', 'e4'],
    );
  });

  it('keeps where a downloaded model came from when it is chosen again from the list', () => {
    const job = {
      ...model('/cache/models/1a2b/model.tar.gz'),
      from: 's3://b/job/output/model.tar.gz',
    };
    let recent = rememberSource([], job);
    recent = rememberSource(recent, endpoint('prod'));
    recent = rememberSource(recent, model('/cache/models/1a2b/model.tar.gz'));
    assert.deepEqual(recent[0], job);
  });

  it('never remembers a URL that carries credentials or a query', () => {
    for (const secret of [
      'http://user:pass@127.0.0.1:8080',
      'http://user@127.0.0.1:8080',
      'https://example.com/invocations?token=abc',
      'https://example.com/#key',
      'not a url',
    ]) {
      assert.equal(isRememberable({ kind: 'url', url: secret }), false, secret);
      assert.deepEqual(rememberSource([endpoint('prod')], url(secret)), [endpoint('prod')]);
    }
    assert.equal(isRememberable({ kind: 'url', url: 'http://localhost:8080/' }), true);
  });

  it('reads back only well-formed, safe entries from storage', () => {
    assert.deepEqual(readRecentSources(undefined), []);
    assert.deepEqual(readRecentSources({ source: { kind: 'model', path: '/m' } }), []);
    assert.deepEqual(
      readRecentSources([
        model('/w/m'),
        { source: { kind: 'model', path: '' } },
        { source: { kind: 'ftp', url: 'ftp://x' } },
        url('http://a:b@host:1'),
        { ...endpoint('prod'), from: 42 },
        model('/w/m'),
        'junk',
        null,
        { ...model('/c/model.tar.gz'), from: 's3://b/k/model.tar.gz' },
      ]),
      [model('/w/m'), { ...model('/c/model.tar.gz'), from: 's3://b/k/model.tar.gz' }],
    );
  });
});
