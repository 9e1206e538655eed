import type { EnvironmentVersion } from '@sps/environments';
import type { ImageInfo } from '@sps/sandbox';
import { ImageRefusedError, RegistryPullError } from './environment-errors';
import { EnvironmentImages } from './environment-images.service';

const REGISTRY = 'registry.test:5000';
const DIGEST = 'sha256:manifest';
const LABELS = { 'io.simplepysandbox.source': 'runner-1' };

const version: EnvironmentVersion = {
  buildId: 'b1',
  specHash: 'abc',
  spec: { python: null, conda: [], channels: [], pip: [], apt: ['python3-six'], base: 'default' },
  dockerfile: 'FROM x\n',
  base: { name: 'default', specHash: null },
  status: 'ready',
  error: null,
  image: 'env:six-abc',
  imageId: 'sha256:built',
  registryDigest: DIGEST,
  baseImageId: 'sha256:base',
  sizeBytes: 1,
  builtBy: 'w0',
  submittedAt: '2025-01-01T00:00:00Z',
  builtAt: '2025-01-01T00:01:00Z',
};

const image = (id: string, labels: Record<string, string>): ImageInfo => ({
  id,
  tags: [],
  digests: [],
  sizeBytes: 1,
  labels: { ...LABELS, ...labels },
  createdAt: 0,
});

/** The version's image as its building worker labelled it. */
const theVersion = image('sha256:built', {
  'io.simplepysandbox.environment': 'six',
  'io.simplepysandbox.spec-hash': 'abc',
  'io.simplepysandbox.base-digest': 'sha256:base',
});

const setup = ({
  url = REGISTRY,
  fallbackBuild = false,
  pulled = theVersion,
}: { url?: string | null; fallbackBuild?: boolean; pulled?: ImageInfo } = {}) => {
  const engine = new Map<string, ImageInfo>([['sandbox:test', image('sha256:base', {})]]);
  const runtime = {
    inspectImage: jest.fn(async (ref: string) => engine.get(ref) ?? null),
    tagImage: jest.fn(async (ref: string, target: string) => void engine.set(target, engine.get(ref)!)),
    removeImage: jest.fn(async (ref: string) => (engine.delete(ref) ? 'removed' : 'missing')),
  };
  const registry = {
    url,
    fallbackBuild,
    remote: (local: string) => `${url}/${local}`,
    pull: jest.fn(async (remote: string) => void engine.set(remote, pulled)),
  };
  const builder = {
    tagFor: (name: string, hash: string) => `env:${name}-${hash}`,
    existing: jest.fn(async () => null),
    otherRunner: jest.fn(async () => null),
    build: jest.fn(async () => ({ image: 'env:six-abc', imageId: 'sha256:local', origin: 'built' })),
  };
  const lock = { run: (_onWait: unknown, work: () => Promise<unknown>) => work() };
  const stats = { record: jest.fn(async () => undefined) };
  const settings: Record<string, unknown> = {
    'sandbox.image': 'sandbox:test',
    'environments.imageRepository': 'env',
    'worker.id': 'w1',
  };
  const images = new EnvironmentImages(
    builder as never,
    runtime as never,
    {} as never,
    lock as never,
    registry as never,
    stats as never,
    { get: (key: string) => settings[key] } as never,
  );
  return { images, engine, runtime, registry, builder, stats };
};

const ensure = (images: EnvironmentImages) => images.ensure('six', version, () => undefined);
const refuse = async (error: Error) => {
  throw error;
};

describe('EnvironmentImages with a registry', () => {
  it('pulls a version by the digest its building worker recorded, names it locally, and builds nothing', async () => {
    const { images, engine, registry, builder, stats } = setup();
    await expect(ensure(images)).resolves.toMatchObject({
      image: 'env:six-abc',
      imageId: 'sha256:built',
      baseImageId: 'sha256:base',
      origin: 'pulled',
    });
    expect(registry.pull).toHaveBeenCalledWith(`${REGISTRY}/env@${DIGEST}`);
    expect(engine.get('env:six-abc')).toBe(theVersion);
    expect(builder.build).not.toHaveBeenCalled();
    expect(stats.record).toHaveBeenCalledWith('pull', 'ok', expect.any(Number));
  });

  it('refuses, removes and never builds instead of an image that is not the recorded version', async () => {
    const other = image('sha256:other', {
      'io.simplepysandbox.environment': 'six',
      'io.simplepysandbox.spec-hash': 'abc',
    });
    for (const pulled of [other, image('sha256:built', {})]) {
      const { images, engine, builder } = setup({ pulled, fallbackBuild: true });
      await expect(ensure(images)).rejects.toBeInstanceOf(ImageRefusedError);
      expect([...engine.keys()]).toEqual(['sandbox:test']);
      expect(builder.build).not.toHaveBeenCalled();
    }
    const { images } = setup({ pulled: other });
    await expect(ensure(images)).rejects.toThrow(
      `environment "six": the image ${REGISTRY}/env@${DIGEST} does not match the recorded version ` +
        '(its content digest is sha256:other, the record says sha256:built); it was removed and nothing ran in it',
    );
  });

  it("builds the version here, as without a registry, when the pulled image was built for another runner than this worker's", async () => {
    const { images, engine, builder } = setup();
    builder.otherRunner.mockResolvedValue('it was built on a default image with runner old' as never);
    await expect(ensure(images)).resolves.toMatchObject({ imageId: 'sha256:local', origin: 'built' });
    expect(engine.has(`${REGISTRY}/env@${DIGEST}`)).toBe(false);
  });

  it('reports a failed pull, and asks the engine again only after PULL_RETRY_MS however many jobs wait', async () => {
    const { images, registry, builder, stats } = setup();
    registry.pull.mockImplementation(() => refuse(new Error('connection refused')));
    for (let i = 0; i < 3; i++) {
      await expect(ensure(images)).rejects.toThrow(
        new RegistryPullError(`could not pull ${REGISTRY}/env@${DIGEST} on worker w1: connection refused`),
      );
    }
    expect(registry.pull).toHaveBeenCalledTimes(1);
    expect(stats.record).toHaveBeenCalledWith('pull', 'failed', expect.any(Number));
    expect(builder.build).not.toHaveBeenCalled();
  });

  it('builds a version whose pull failed only when REGISTRY_FALLBACK_BUILD allows it', async () => {
    const { images, registry, builder } = setup({ fallbackBuild: true });
    registry.pull.mockImplementation(() => refuse(new Error('connection refused')));
    await expect(ensure(images)).resolves.toMatchObject({ imageId: 'sha256:local', origin: 'built' });
    expect(builder.build).toHaveBeenCalledTimes(1);
  });

  it('builds a version that was never pushed (built without a registry)', async () => {
    const { images, registry, builder } = setup();
    await images.ensure('six', { ...version, registryDigest: null }, () => undefined);
    expect(registry.pull).not.toHaveBeenCalled();
    expect(builder.build).toHaveBeenCalledTimes(1);
  });

  it('pulls a missing default image under its own name', async () => {
    const { images, engine, registry } = setup({ pulled: image('sha256:default', {}) });
    engine.delete('sandbox:test');
    await expect(images.defaultImageInfo()).resolves.toMatchObject({ id: 'sha256:default' });
    expect(registry.pull).toHaveBeenCalledWith(`${REGISTRY}/sandbox:test`);
    expect(engine.get('sandbox:test')?.id).toBe('sha256:default');
  });
});

describe('EnvironmentImages without a registry', () => {
  it('builds what is missing, pushes nothing, and says how to get a missing default image', async () => {
    const { images, registry, builder } = setup({ url: null });
    await ensure(images);
    expect(builder.build).toHaveBeenCalledTimes(1);
    expect(registry.pull).not.toHaveBeenCalled();
    await expect(images.publish('env:six-abc', () => undefined)).resolves.toBeNull();
    const bare = setup({ url: null });
    bare.engine.delete('sandbox:test');
    await expect(bare.images.defaultImageInfo()).rejects.toThrow(
      'the default image sandbox:test is missing on worker w1 (npm run image:base builds it)',
    );
  });
});
