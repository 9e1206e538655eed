import { readRedisConfig } from '../../libs/config/src/redis.config';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { redisClient } from './redis-client';
import { freePort, ServiceStack } from './service-stack';
import { writeWheel } from './wheel-maker';

declare global {
  var __E2E_STACK__: ServiceStack | undefined;
}

const ROOT = join(__dirname, '..', '..');
const WARM_POOL_SIZE = 2;

/** End-to-end tests never skip: a missing prerequisite is a failure with a message that says which. */
const requirePrerequisites = async (): Promise<void> => {
  if (!existsSync(join(ROOT, 'dist/apps/api/src/main.js'))) {
    throw new Error('the apps are not built: run `npm run build` (npm test does it for you)');
  }
  const { url } = readRedisConfig();
  const redis = redisClient(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `Redis at ${url} does not answer (${(error as Error).message}): run \`bash scripts/prereqs.sh\` (npm test does it for you)`,
      { cause: error },
    );
  } finally {
    redis.disconnect();
  }
  try {
    execFileSync('curl', [
      '-sf',
      '--unix-socket',
      process.env.DOCKER_SOCKET ?? '/var/run/docker.sock',
      'http://localhost/_ping',
    ]);
  } catch {
    throw new Error('no Docker engine is reachable: run `bash scripts/prereqs.sh` (npm test does it for you)');
  }
};

/** With no PyPI here, pip builds install from a wheelhouse of tiny test packages, made fresh for each run. */
const makeWheelhouse = (): string => {
  const dir = join(ROOT, '.data', `e2e-wheelhouse-${process.pid}`);
  for (const version of ['0.1.0', '0.2.0']) writeWheel(dir, 'sps-hello', version);
  return dir;
};

export default async function globalSetup(): Promise<void> {
  // The stacks inherit REDIS_URL and the password settings from this process, as the apps read them.
  const redisUrl = readRedisConfig().url;
  await requirePrerequisites();
  // Set in this process's environment, so every stack a test starts gets them too: the
  // same admin key (which api-client sends by default), and quotas no ordinary test reaches.
  process.env.ADMIN_API_KEY = process.env.E2E_ADMIN_KEY = `e2e-admin-${randomBytes(16).toString('hex')}`;
  process.env.QUOTA_RATE_PER_MINUTE = '1000000';
  process.env.QUOTA_MAX_IN_FLIGHT = '100000';
  process.env.QUOTA_MAX_CONCURRENT_REQUESTS = '100000';
  process.env.QUOTA_MAX_STORED_BYTES = String(2 ** 40);
  // A secret only the workers have: sandboxes must never see it (test/adversarial/container-view).
  const canary = `canary-${randomBytes(12).toString('hex')}`;
  process.env.E2E_WORKER_CANARY = canary;
  const wheelhouse = makeWheelhouse();
  const stack = new ServiceStack('e2e', await freePort(), {
    REDIS_URL: redisUrl,
    REDIS_PREFIX: `e2e-${process.pid}`,
    WAIT_CAP_MS: '5000',
    HEARTBEAT_INTERVAL_MS: '1000',
    WORKER_CONCURRENCY: '2',
    JOB_BACKOFF_MS: '200',
    SPS_WORKER_SECRET: canary,
    POOL_SIZES: `default=${WARM_POOL_SIZE}`,
    // Held at its size: between tests, no more pre-started containers may wait than this.
    POOL_MAX_SIZE: String(WARM_POOL_SIZE),
    ENV_PIP_WHEELHOUSE: wheelhouse,
    ENV_PIP_NO_INDEX: 'true',
    ENV_SWEEP_INTERVAL_MS: '2000',
    // Not added at start: on a fresh host its build would run behind every test file. The
    // environments spec creates it with the same built-in spec when it needs it.
    ENV_DATASCIENCE: 'off',
  });
  await stack.start(1);
  globalThis.__E2E_STACK__ = stack;
  process.env.E2E_BASE_URL = stack.baseUrl;
  process.env.E2E_REDIS_PREFIX = stack.prefix;
  process.env.E2E_REDIS_URL = redisUrl;
  process.env.E2E_WARM_CONTAINERS = String(WARM_POOL_SIZE * stack.workers.size);
  process.env.E2E_WHEELHOUSE = wheelhouse;
}
