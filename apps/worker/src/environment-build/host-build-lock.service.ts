import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { RedisConnection, redisScript } from '@sps/redis';
import { ContainerRuntime } from '@sps/sandbox';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BuildInterruptedError } from './environment-image-builder.service';

const LEASE_MS = 30_000;
const POLL_MS = 1000;
// Only the holder may extend or release the lease.  KEYS: the lease.  ARGV: the holder's token (, the new lifetime).
const RENEW = redisScript(
  'hostBuildLockRenew',
  1,
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`,
);
const RELEASE = redisScript(
  'hostBuildLockRelease',
  1,
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
);

/**
 * One image build at a time per container engine. Worker processes on one
 * host share its engine (and its disk and network), so the lock is keyed
 * by the engine's id, not by process. It is a lease: a holder that dies
 * stops renewing it, and it lapses after LEASE_MS.
 */
@Injectable()
export class HostBuildLock {
  private readonly workerId: string;

  constructor(
    private readonly redis: RedisConnection,
    private readonly runtime: ContainerRuntime,
    config: ConfigService<AppConfig, true>,
  ) {
    this.workerId = config.get('worker.id', { infer: true });
  }

  /** Runs `work` holding the engine's lease, waiting for it first if need be; `stop` gives up the wait. */
  async run<T>(onWait: () => void, work: () => Promise<T>, stop?: AbortSignal): Promise<T> {
    const { client } = this.redis;
    const key = this.redis.key('env-build-lock', await this.runtime.engineId());
    const token = `${this.workerId}:${randomUUID()}`;
    let waited = false;
    while ((await client.set(key, token, 'PX', LEASE_MS, 'NX')) !== 'OK') {
      if (stop?.aborted) throw new BuildInterruptedError();
      if (!waited) onWait();
      waited = true;
      await sleep(POLL_MS);
    }
    const renew = setInterval(
      () => void this.redis.run(RENEW, [key], [token, LEASE_MS]).catch(() => undefined),
      LEASE_MS / 3,
    );
    try {
      return await work();
    } finally {
      clearInterval(renew);
      await this.redis.run(RELEASE, [key], [token]).catch(() => undefined);
    }
  }
}
