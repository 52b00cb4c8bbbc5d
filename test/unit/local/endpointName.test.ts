import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointSummary } from '../../../src/core/jobs';
import { localEndpointName } from '../../../src/core/local';
import { endpointContextValue, endpointTooltip } from '../../../src/extension/views/presentation';

describe('localEndpointName', () => {
  it('names the endpoint after the job, folder, archive or S3 key it serves', () => {
    assert.equal(localEndpointName({ kind: 'job', job: 'my-job' }), 'my-job-local');
    assert.equal(localEndpointName('my-job'), 'my-job-local');
    assert.equal(localEndpointName('/data/exported/coco_ssd'), 'coco-ssd-local');
    assert.equal(localEndpointName('./.tfod/jobs/job-7/output/model.tar.gz'), 'job-7-local');
    assert.equal(localEndpointName('s3://bucket/out/sm-job/output/model.tar.gz'), 'sm-job-local');
    assert.equal(localEndpointName('/tmp/best.tgz'), 'best-local');
    assert.equal(localEndpointName('model'), 'model-local');
  });
});

describe('local endpoints in the jobs view', () => {
  const endpoint: EndpointSummary = {
    target: 'local',
    name: 'coco-local',
    id: 'abc',
    status: 'InService',
    url: 'http://127.0.0.1:32768',
  };

  it('flags an endpoint with a URL for the Copy URL action', () => {
    assert.equal(endpointContextValue(endpoint), 'endpoint local settled deletable hasUrl');
    const { url: _url, ...withoutUrl } = endpoint;
    assert.doesNotMatch(endpointContextValue({ ...withoutUrl, status: 'Failed' }), /hasUrl/);
  });

  it('puts the URL to POST to in the tooltip', () => {
    assert.match(
      endpointTooltip(endpoint),
      /^URL: http:\/\/127\.0\.0\.1:32768 \(POST http:\/\/127\.0\.0\.1:32768\/invocations\) {2}$/m,
    );
  });
});
