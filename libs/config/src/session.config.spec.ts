import { ConfigError, EnvReader } from './env-reader';
import { readSessionConfig } from './session.config';

const read = (source: Record<string, string>) => () => readSessionConfig(new EnvReader(source));

describe('readSessionConfig', () => {
  it('closes sessions after 10 minutes idle or an hour, by default, and allows up to an hour idle and a day', () => {
    expect(readSessionConfig(new EnvReader({}))).toEqual({
      defaults: { idleTimeoutSeconds: 600, maxLifetimeSeconds: 3600 },
      max: { idleTimeoutSeconds: 3600, maxLifetimeSeconds: 86_400 },
      maxQueuedCells: 16,
      perWorker: 16,
      startTimeoutMs: 120_000,
      fileTimeoutMs: 30_000,
      maxListedFiles: 1000,
    });
  });

  it('reads each time from its own variables', () => {
    const config = readSessionConfig(
      new EnvReader({
        SESSION_DEFAULT_IDLE_TIMEOUT_SECONDS: '60',
        SESSION_MAX_IDLE_TIMEOUT_SECONDS: '120',
        SESSION_DEFAULT_LIFETIME_SECONDS: '300',
        SESSION_MAX_LIFETIME_SECONDS: '600',
        SESSION_MAX_QUEUED_CELLS: '4',
        SESSIONS_PER_WORKER: '2',
      }),
    );
    expect(config).toMatchObject({
      defaults: { idleTimeoutSeconds: 60, maxLifetimeSeconds: 300 },
      max: { idleTimeoutSeconds: 120, maxLifetimeSeconds: 600 },
      maxQueuedCells: 4,
      perWorker: 2,
    });
  });

  it('refuses a default above its maximum, and values out of range, naming the variable', () => {
    expect(read({ SESSION_MAX_LIFETIME_SECONDS: '1800' })).toThrow(
      'SESSION_DEFAULT_LIFETIME_SECONDS (3600) is above SESSION_MAX_LIFETIME_SECONDS (1800)',
    );
    expect(read({ SESSION_DEFAULT_IDLE_TIMEOUT_SECONDS: '0' })).toThrow(
      'SESSION_DEFAULT_IDLE_TIMEOUT_SECONDS must be at least 1, got 0',
    );
    expect(read({ SESSION_MAX_QUEUED_CELLS: 'many' })).toThrow(ConfigError);
  });
});
