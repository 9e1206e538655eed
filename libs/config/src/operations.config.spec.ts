import { readApiConfig } from './api.config';
import { ConfigError, EnvReader } from './env-reader';
import { readLoggingConfig } from './logging.config';
import { readQueueConfig } from './queue.config';
import { readRedisConfig } from './redis.config';
import { readWorkerConfig } from './worker.config';

describe('operations settings', () => {
  it('have defaults for unattended use', () => {
    const env = new EnvReader({});
    expect(readQueueConfig(env)).toMatchObject({
      resultTtlSeconds: 3600,
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
      maxStalledCount: 1,
      maxQueuedJobs: 10_000,
      queueFullRetryAfterSeconds: 5,
    });
    expect(readWorkerConfig(env)).toMatchObject({
      shutdownGraceMs: 30_000,
      reaperIntervalMs: 60_000,
      reaperDeadlineGraceMs: 60_000,
    });
    expect(readRedisConfig(env).commandTimeoutMs).toBe(2000);
    expect(readApiConfig(env).queueDashboard).toBe(false);
    expect(readLoggingConfig(env).level).toBe('info');
  });

  it('are read from their variables', () => {
    const env = new EnvReader({
      JOB_LOCK_DURATION_MS: '2000',
      JOB_STALLED_INTERVAL_MS: '1000',
      JOB_MAX_STALLED_COUNT: '3',
      MAX_QUEUED_JOBS: '50',
      QUEUE_FULL_RETRY_AFTER_SECONDS: '9',
      WORKER_SHUTDOWN_GRACE_MS: '0',
      REAPER_INTERVAL_MS: '500',
      REAPER_DEADLINE_GRACE_MS: '0',
      REDIS_COMMAND_TIMEOUT_MS: '250',
      QUEUE_DASHBOARD: 'true',
      LOG_LEVEL: 'debug',
    });
    expect(readQueueConfig(env)).toMatchObject({
      lockDurationMs: 2000,
      stalledIntervalMs: 1000,
      maxStalledCount: 3,
      maxQueuedJobs: 50,
      queueFullRetryAfterSeconds: 9,
    });
    expect(readWorkerConfig(env)).toMatchObject({
      shutdownGraceMs: 0,
      reaperIntervalMs: 500,
      reaperDeadlineGraceMs: 0,
    });
    expect(readRedisConfig(env).commandTimeoutMs).toBe(250);
    expect(readApiConfig(env).queueDashboard).toBe(true);
    expect(readLoggingConfig(env).level).toBe('debug');
  });

  it('bind the API to loopback only while authentication is off, unless HOST says otherwise', () => {
    expect(readApiConfig(new EnvReader({})).host).toBe('0.0.0.0');
    expect(readApiConfig(new EnvReader({ AUTH: 'off' })).host).toBe('127.0.0.1');
    expect(readApiConfig(new EnvReader({ AUTH: 'off', HOST: '0.0.0.0' })).host).toBe('0.0.0.0');
    expect(readApiConfig(new EnvReader({ HOST: '10.0.0.5' })).host).toBe('10.0.0.5');
  });

  it.each([
    ['MAX_QUEUED_JOBS', '0', () => readQueueConfig],
    ['JOB_MAX_STALLED_COUNT', '-1', () => readQueueConfig],
    ['JOB_LOCK_DURATION_MS', 'soon', () => readQueueConfig],
    ['WORKER_SHUTDOWN_GRACE_MS', '1.5', () => readWorkerConfig],
    ['LOG_LEVEL', 'loud', () => readLoggingConfig],
    ['QUEUE_DASHBOARD', 'maybe', () => readApiConfig],
  ])('refuse %s=%j, naming the variable', (name, value, reader) => {
    const read = () => (reader() as (env: EnvReader) => unknown)(new EnvReader({ [name]: value }));
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(name);
  });
});
