import { UnrecoverableError } from 'bullmq';
import type { EnvironmentRecord, EnvironmentVersion } from '@sps/environments';
import { EnvironmentImageResolver } from './environment-image-resolver.service';
import {
  EnvironmentNotReadyError,
  EnvironmentUnavailableError,
  ImageRefusedError,
  RegistryPullError,
} from './environment-errors';
import { PULL_RETRY_MS } from './environment-images.service';

const WAIT_MS = 60_000;
const SETTINGS: Record<string, unknown> = {
  'sandbox.image': 'sandbox:test',
  'environments.waitMs': WAIT_MS,
  'worker.id': 'worker-t',
};

const version = (
  specHash: string,
  status: EnvironmentVersion['status'],
  error: string | null = null,
): EnvironmentVersion => ({
  buildId: `build-${specHash}`,
  specHash,
  spec: { python: null, conda: [], channels: [], pip: ['x'], apt: [], base: 'default' },
  dockerfile: 'FROM x\n',
  base: { name: 'default', specHash: null },
  status,
  error,
  image: status === 'ready' ? `repo:env-${specHash}` : null,
  imageId: null,
  registryDigest: null,
  baseImageId: null,
  sizeBytes: null,
  builtBy: null,
  submittedAt: '2025-01-01T00:00:00Z',
  builtAt: null,
});

const record = (latest: EnvironmentVersion, active: EnvironmentVersion | null): EnvironmentRecord => ({
  name: 'env',
  createdAt: '2025-01-01T00:00:00Z',
  latest,
  active,
});

const setup = (
  stored: EnvironmentRecord | null,
  ensure: jest.Mock = jest.fn(async (_name: string, v: EnvironmentVersion) => ({
    image: `local:${v.specHash}`,
    imageId: `sha256:id-${v.specHash}`,
    baseImageId: 'sha256:base',
    origin: 'engine',
  })),
) => {
  const catalogue = {
    get: jest.fn(async () => stored),
    touch: jest.fn(async () => undefined),
    list: jest.fn(async () => (stored ? [stored] : [])),
  };
  const images = {
    ensure,
    tagFor: (name: string, hash: string) => `repo:${name}-${hash}`,
    existing: jest.fn(async (name: string, hash: string) =>
      localImages.has(hash) ? { image: `repo:${name}-${hash}`, imageId: `sha256:id-${hash}`, origin: 'engine' } : null,
    ),
    defaultImageInfo: jest.fn(async () => ({ id: 'sha256:default', labels: {} })),
  };
  const config = { get: (key: string) => SETTINGS[key] };
  return {
    resolver: new EnvironmentImageResolver(catalogue as never, images as never, config as never),
    catalogue,
    ensure,
  };
};

const localImages = new Set<string>();
const now = () => new Date().toISOString();
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

describe('EnvironmentImageResolver.imageFor', () => {
  it('answers the default image, by id, for default without reading the catalogue', async () => {
    const { resolver, catalogue } = setup(null);
    await expect(resolver.imageFor('default', now())).resolves.toEqual({
      image: 'sha256:default',
      stamp: { specHash: null, digest: 'sha256:default', baseDigest: null },
    });
    expect(catalogue.get).not.toHaveBeenCalled();
  });

  it('fails permanently for an unknown environment', async () => {
    const { resolver } = setup(null);
    const attempt = resolver.imageFor('nope', now());
    await expect(attempt).rejects.toThrow(UnrecoverableError);
    await expect(resolver.imageFor('nope', now())).rejects.toThrow('unknown environment "nope"');
  });

  it('fails permanently, with the build error, for an environment whose only version failed', async () => {
    const { resolver } = setup(record(version('a', 'failed', 'E: Unable to locate package x'), null));
    await expect(resolver.imageFor('env', now())).rejects.toThrow(
      new UnrecoverableError('environment "env" failed to build: E: Unable to locate package x'),
    );
  });

  it('sends a job for an environment that is still building back to wait', async () => {
    const { resolver, ensure } = setup(record(version('a', 'building'), null));
    const attempt = resolver.imageFor('env', ago(WAIT_MS - 5000));
    await expect(attempt).rejects.toBeInstanceOf(EnvironmentNotReadyError);
    await expect(resolver.imageFor('env', now())).rejects.toMatchObject({
      environment: 'env',
      retryInMs: expect.any(Number),
    });
    expect(ensure).not.toHaveBeenCalled();
  });

  it('fails permanently once a job has waited ENV_WAIT_MS for the build', async () => {
    const { resolver } = setup(record(version('a', 'building'), null));
    const attempt = resolver.imageFor('env', ago(WAIT_MS + 1000));
    await expect(attempt).rejects.toThrow(UnrecoverableError);
    await expect(resolver.imageFor('env', ago(WAIT_MS + 1000))).rejects.toThrow(
      /environment "env" is still building after 6\d s \(ENV_WAIT_MS\)/,
    );
  });

  it('runs in the active version while a newer one builds or after it failed', async () => {
    for (const latest of [version('b', 'building'), version('b', 'failed', 'boom')]) {
      const { resolver, ensure, catalogue } = setup(record(latest, version('a', 'ready')));
      await expect(resolver.imageFor('env', ago(WAIT_MS * 10))).resolves.toEqual({
        image: 'sha256:id-a',
        stamp: { specHash: 'a', digest: 'sha256:id-a', baseDigest: 'sha256:base' },
      });
      expect(ensure.mock.calls[0][1]).toMatchObject({ specHash: 'a' });
      expect(catalogue.touch).toHaveBeenCalledWith('env');
    }
  });

  it('turns a failed local build into a retryable error that names the worker', async () => {
    const ensure = jest.fn(async () => {
      throw new Error('no space left on device');
    });
    const { resolver } = setup(record(version('a', 'ready'), version('a', 'ready')), ensure);
    const attempt = resolver.imageFor('env', now());
    await expect(attempt).rejects.toBeInstanceOf(EnvironmentUnavailableError);
    await expect(resolver.imageFor('env', now())).rejects.toThrow(
      'environment "env" could not be built on worker worker-t: no space left on device',
    );
  });
});

describe('EnvironmentImageResolver.imageFor with a registry', () => {
  const ready = () => record(version('a', 'ready'), version('a', 'ready'));
  const failing = (error: Error) =>
    jest.fn(async () => {
      throw error;
    });

  it('sends a job back to wait while the registry cannot give the image, then fails it clearly after ENV_WAIT_MS', async () => {
    const { resolver } = setup(
      ready(),
      failing(new RegistryPullError('could not pull r/env@sha256:x: connection refused')),
    );
    await expect(resolver.imageFor('env', ago(WAIT_MS - 5000))).rejects.toMatchObject({
      environment: 'env',
      retryInMs: PULL_RETRY_MS,
    });
    const late = resolver.imageFor('env', ago(WAIT_MS + 1000));
    await expect(late).rejects.toThrow(UnrecoverableError);
    await expect(late).rejects.toThrow(
      /^environment "env": its image could not be pulled within 6\d s \(ENV_WAIT_MS\): could not pull r\/env@sha256:x: connection refused$/,
    );
  });

  it('fails a job at once when the pulled image is not the recorded version', async () => {
    const { resolver } = setup(
      ready(),
      failing(new ImageRefusedError('the image does not match the recorded version')),
    );
    const attempt = resolver.imageFor('env', now());
    await expect(attempt).rejects.toThrow(UnrecoverableError);
    await expect(attempt).rejects.toThrow('the image does not match the recorded version');
  });

  it('waits for the default image as for any other the registry has not given yet', async () => {
    const { resolver } = setup(null);
    (resolver as unknown as { images: { defaultImageInfo: jest.Mock } }).images.defaultImageInfo.mockRejectedValue(
      new RegistryPullError('could not pull r/sandbox:latest'),
    );
    await expect(resolver.imageFor('default', now())).rejects.toBeInstanceOf(EnvironmentNotReadyError);
  });
});

describe('EnvironmentImageResolver.known', () => {
  it('lists default and every environment with a ready version, with the tag of the version jobs run in', async () => {
    const { resolver } = setup(record(version('b', 'building'), version('a', 'ready')));
    await expect(resolver.known()).resolves.toEqual([
      { name: 'default', image: 'sandbox:test', specHash: null },
      { name: 'env', image: 'repo:env-a', specHash: 'a' },
    ]);
  });

  it('leaves out an environment with no ready version', async () => {
    const { resolver } = setup(record(version('a', 'building'), null));
    await expect(resolver.known()).resolves.toEqual([{ name: 'default', image: 'sandbox:test', specHash: null }]);
  });
});

describe('EnvironmentImageResolver.imageForPool', () => {
  afterEach(() => localImages.clear());

  it('warms the default image, by id, for default', async () => {
    await expect(setup(null).resolver.imageForPool('default')).resolves.toBe('sha256:default');
  });

  it('warms the image of the version jobs run in, once this engine has it, without building or counting use', async () => {
    const { resolver, ensure, catalogue } = setup(record(version('b', 'building'), version('a', 'ready')));
    await expect(resolver.imageForPool('env')).rejects.toThrow('has no image on this host yet');
    localImages.add('a');
    await expect(resolver.imageForPool('env')).resolves.toBe('sha256:id-a');
    expect(ensure).not.toHaveBeenCalled();
    expect(catalogue.touch).not.toHaveBeenCalled();
  });

  it('warms nothing for an environment with no ready version, or none at all', async () => {
    await expect(setup(record(version('a', 'building'), null)).resolver.imageForPool('env')).rejects.toThrow(
      'has no ready version',
    );
    await expect(setup(null).resolver.imageForPool('env')).rejects.toThrow('has no ready version');
  });
});
