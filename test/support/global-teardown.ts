import { rmSync } from 'node:fs';
import { deleteKeysUnder } from './redis-keys';

export default async function globalTeardown(): Promise<void> {
  const stack = globalThis.__E2E_STACK__;
  if (!stack) return;
  await stack.stop();
  // Leave the shared Redis as we found it.
  await deleteKeysUnder(process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379', stack.prefix);
  if (process.env.E2E_WHEELHOUSE) rmSync(process.env.E2E_WHEELHOUSE, { recursive: true, force: true });
}
