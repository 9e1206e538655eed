import Redis from 'ioredis';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ServiceStack } from './service-stack';

declare global {
  // eslint-disable-next-line no-var
  var __E2E_STACK__: ServiceStack | undefined;
}

const ROOT = join(__dirname, '..', '..');
const WARM_POOL_SIZE = 2;

/** End-to-end tests never skip: a missing prerequisite is a failure with a message that says which. */
const requirePrerequisites = async (redisUrl: string): Promise<void> => {
  if (!existsSync(join(ROOT, 'dist/apps/api/src/main.js'))) {
    throw new Error('the apps are not built: run `npm run build` (npm test does it for you)');
  }
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    await redis.ping();
  } catch {
    throw new Error(`Redis is unreachable at ${redisUrl}: run \`bash scripts/prereqs.sh\` (npm test does it for you)`);
  } finally {
    redis.disconnect();
  }
  try {
    execFileSync('curl', ['-sf', '--unix-socket', process.env.DOCKER_SOCKET ?? '/var/run/docker.sock', 'http://localhost/_ping']);
  } catch {
    throw new Error('no Docker engine is reachable: run `bash scripts/prereqs.sh` (npm test does it for you)');
  }
};

export default async function globalSetup(): Promise<void> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  await requirePrerequisites(redisUrl);
  const stack = new ServiceStack('e2e', await freePort(), {
    REDIS_URL: redisUrl,
    REDIS_PREFIX: `e2e-${process.pid}`,
    WAIT_CAP_MS: '5000',
    HEARTBEAT_INTERVAL_MS: '1000',
    WORKER_CONCURRENCY: '2',
    JOB_BACKOFF_MS: '200',
    POOL_SIZES: `default=${WARM_POOL_SIZE}`,
  });
  await stack.start(1);
  globalThis.__E2E_STACK__ = stack;
  process.env.E2E_BASE_URL = stack.baseUrl;
  process.env.E2E_REDIS_PREFIX = stack.prefix;
  process.env.E2E_REDIS_URL = redisUrl;
  process.env.E2E_WARM_CONTAINERS = String(WARM_POOL_SIZE * stack.workers.size);
}
