import type { EnvironmentRecord, EnvironmentVersion } from './environment-spec';
import { normalizeSpec } from './environment-spec.rules';
import { BuildResult, completeBuild, planVersion, submitVersion, wantedImages } from './environment-versions';

const DEFAULT_BASE = { name: 'default', specHash: null };
const version = (pip: string[], buildId: string): EnvironmentVersion =>
  planVersion(normalizeSpec({ pip }), DEFAULT_BASE, buildId, new Date('2025-01-01T00:00:00Z'));
const ready = (buildId: string): BuildResult => ({
  status: 'ready',
  image: `repo:env-${buildId}`,
  imageId: `sha256:${buildId}`,
  registryDigest: `sha256:manifest-${buildId}`,
  baseImageId: 'sha256:base',
  sizeBytes: 1234,
  builtBy: 'worker-1',
  builtAt: '2025-01-01T00:01:00Z',
});

/** A record whose one version is built and active. */
const readyRecord = (pip: string[], buildId: string): EnvironmentRecord => {
  const { record } = submitVersion(null, 'env', version(pip, buildId));
  return completeBuild(record, buildId, ready(buildId)).record!;
};

describe('planVersion', () => {
  it('plans a building version with the rendered Dockerfile and its hash', () => {
    const planned = version(['x'], 'b1');
    expect(planned).toMatchObject({ buildId: 'b1', status: 'building', error: null, image: null, base: DEFAULT_BASE });
    expect(planned.dockerfile).toContain("'x'");
    expect(planned.specHash).toBe(version(['x'], 'other-build').specHash);
    expect(planned.specHash).not.toBe(version(['y'], 'b1').specHash);
  });
});

describe('submitVersion', () => {
  it('creates a record for a new name and builds it', () => {
    const { record, build } = submitVersion(null, 'env', version(['x'], 'b1'));
    expect(build).toBe(true);
    expect(record).toMatchObject({
      name: 'env',
      createdAt: '2025-01-01T00:00:00.000Z',
      active: null,
      latest: { buildId: 'b1' },
    });
  });

  it('is idempotent for the spec that is building', () => {
    const { record } = submitVersion(null, 'env', version(['x'], 'b1'));
    const again = submitVersion(record, 'env', version(['x'], 'b2'));
    expect(again).toEqual({ record, build: false });
  });

  it('is idempotent for the spec that is ready', () => {
    const record = readyRecord(['x'], 'b1');
    expect(submitVersion(record, 'env', version(['x'], 'b2'))).toEqual({ record, build: false });
  });

  it('builds a failed spec again', () => {
    const { record } = submitVersion(null, 'env', version(['x'], 'b1'));
    const failed = completeBuild(record, 'b1', { status: 'failed', error: 'boom' }).record!;
    const again = submitVersion(failed, 'env', version(['x'], 'b2'));
    expect(again.build).toBe(true);
    expect(again.record.latest).toMatchObject({ buildId: 'b2', status: 'building', error: null });
  });

  it('builds a changed spec as a new version while the active one keeps serving', () => {
    const record = readyRecord(['x'], 'b1');
    const { record: next, build } = submitVersion(record, 'env', version(['y'], 'b2'));
    expect(build).toBe(true);
    expect(next.latest).toMatchObject({ buildId: 'b2', status: 'building' });
    expect(next.active).toEqual(record.active);
  });

  it('goes back to the active version without a build when its spec is submitted again', () => {
    const record = readyRecord(['x'], 'b1');
    const building = submitVersion(record, 'env', version(['y'], 'b2')).record;
    const { record: back, build } = submitVersion(building, 'env', version(['x'], 'b3'));
    expect(build).toBe(false);
    expect(back.latest).toEqual(record.active);
  });
});

describe('completeBuild', () => {
  it('makes a ready build the active version and names the one it replaced', () => {
    const record = readyRecord(['x'], 'b1');
    const building = submitVersion(record, 'env', version(['y'], 'b2')).record;
    const done = completeBuild(building, 'b2', ready('b2'));
    expect(done.superseded).toBe(false);
    expect(done.record!.active).toMatchObject({
      buildId: 'b2',
      status: 'ready',
      image: 'repo:env-b2',
      registryDigest: 'sha256:manifest-b2',
      baseImageId: 'sha256:base',
      sizeBytes: 1234,
    });
    expect(done.record!.latest).toEqual(done.record!.active);
    expect(done.replaced).toEqual(record.active);
  });

  it('replaces nothing for the first version', () => {
    const { record } = submitVersion(null, 'env', version(['x'], 'b1'));
    expect(completeBuild(record, 'b1', ready('b1')).replaced).toBeNull();
  });

  it('keeps the active version when a new one fails', () => {
    const record = readyRecord(['x'], 'b1');
    const building = submitVersion(record, 'env', version(['y'], 'b2')).record;
    const done = completeBuild(building, 'b2', { status: 'failed', error: 'apt-get failed' });
    expect(done.record!.latest).toMatchObject({ buildId: 'b2', status: 'failed', error: 'apt-get failed' });
    expect(done.record!.active).toEqual(record.active);
    expect(done.replaced).toBeNull();
  });

  it('drops the result of a build that a newer version superseded', () => {
    const { record } = submitVersion(null, 'env', version(['x'], 'b1'));
    const newer = submitVersion(record, 'env', version(['y'], 'b2')).record;
    expect(completeBuild(newer, 'b1', ready('b1'))).toEqual({ record: newer, superseded: true, replaced: null });
  });

  it('drops the result of a build whose environment was deleted', () => {
    expect(completeBuild(null, 'b1', ready('b1'))).toEqual({ record: null, superseded: true, replaced: null });
  });
});

describe('wantedImages', () => {
  it('keeps the active and latest version of each environment and the base versions they were built on', () => {
    const record = readyRecord(['x'], 'b1');
    const building = submitVersion(record, 'env', version(['y'], 'b2')).record;
    const derived = submitVersion(
      null,
      'child',
      planVersion(normalizeSpec({ pip: ['z'], base: 'env' }), { name: 'env', specHash: 'feedfeedfeedfeed' }, 'b3'),
    ).record;
    expect(wantedImages([building, derived])).toEqual(
      new Set([
        `env@${record.active!.specHash}`,
        `env@${building.latest.specHash}`,
        `child@${derived.latest.specHash}`,
        'env@feedfeedfeedfeed',
      ]),
    );
  });
});
