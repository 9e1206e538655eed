import { ConfigError, EnvReader } from './env-reader';
import { readEnvironmentsConfig } from './environments.config';

const read = (source: Record<string, string>) => () => readEnvironmentsConfig(new EnvReader(source));

describe('readEnvironmentsConfig', () => {
  it('has defaults that need no setting: the build network chosen by the worker, no wheelhouse, datascience from Debian packages', () => {
    const config = readEnvironmentsConfig(new EnvReader({}));
    expect(config).toMatchObject({
      buildNetwork: 'auto',
      imageRepository: 'simplepysandbox/env',
      pipWheelhouse: null,
      pipIndexUrl: null,
      pipNoIndex: false,
      micromambaSha256: null,
      datascience: 'apt',
    });
    expect(config.micromambaUrl).toMatch(/^https:\/\//);
    expect(config.waitMs).toBeGreaterThan(0);
  });

  it('reads every setting from its own variable', () => {
    const config = readEnvironmentsConfig(
      new EnvReader({
        ENV_BUILD_NETWORK: 'host',
        ENV_IMAGE_REPOSITORY: 'registry.local:5000/sps/env',
        ENV_PIP_WHEELHOUSE: '/srv/wheelhouse',
        ENV_PIP_INDEX_URL: 'https://pypi.internal/simple',
        ENV_PIP_NO_INDEX: 'true',
        ENV_MICROMAMBA_SHA256: 'a'.repeat(64),
        ENV_WAIT_MS: '5000',
        ENV_DATASCIENCE: 'off',
      }),
    );
    expect(config).toMatchObject({
      buildNetwork: 'host',
      imageRepository: 'registry.local:5000/sps/env',
      pipWheelhouse: '/srv/wheelhouse',
      pipIndexUrl: 'https://pypi.internal/simple',
      pipNoIndex: true,
      micromambaSha256: 'a'.repeat(64),
      waitMs: 5000,
      datascience: 'off',
    });
  });

  it.each([
    ['ENV_BUILD_NETWORK', 'host; id'],
    ['ENV_IMAGE_REPOSITORY', 'Simple/Env'],
    ['ENV_IMAGE_REPOSITORY', 'repo:tag'],
    ['ENV_PIP_WHEELHOUSE', 'relative/dir'],
    ['ENV_PIP_INDEX_URL', 'ftp://mirror'],
    ['ENV_PIP_INDEX_URL', 'https://mirror/$(id)'],
    ['ENV_MICROMAMBA_URL', 'https://x/"quoted"'],
    ['ENV_MICROMAMBA_SHA256', 'abc'],
    ['ENV_PIP_NO_INDEX', 'perhaps'],
    ['ENV_DATASCIENCE', 'pip'],
    ['ENV_BUILD_TIMEOUT_MS', '5'],
    ['ENV_WAIT_MS', '-1'],
  ])('refuses %s=%j with a message naming the variable', (name, value) => {
    expect(read({ [name]: value })).toThrow(ConfigError);
    expect(read({ [name]: value })).toThrow(name);
  });
});
