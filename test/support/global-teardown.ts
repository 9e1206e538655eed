import Redis from 'ioredis';
import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const stack = globalThis.__E2E_STACK__;
  if (!stack) return;
  await stack.stop();
  // Leave the shared Redis as we found it.
  const redis = new Redis(process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379');
  const stream = redis.scanStream({ match: `${stack.prefix}:*`, count: 500 });
  for await (const keys of stream) if ((keys as string[]).length) await redis.del(...(keys as string[]));
  redis.disconnect();
  if (process.env.E2E_WHEELHOUSE) rmSync(process.env.E2E_WHEELHOUSE, { recursive: true, force: true });
}
