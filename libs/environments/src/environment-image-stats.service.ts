import { Injectable } from '@nestjs/common';
import { RedisConnection } from '@sps/redis';

/** What a worker does to get an environment's image onto its engine, or into the registry. */
export const IMAGE_OPERATIONS = ['build', 'pull', 'push'] as const;
export type ImageOperation = (typeof IMAGE_OPERATIONS)[number];
export const IMAGE_OUTCOMES = ['ok', 'failed'] as const;
export type ImageOutcome = (typeof IMAGE_OUTCOMES)[number];

export interface ImageOperationTotal {
  operation: ImageOperation;
  outcome: ImageOutcome;
  count: number;
  seconds: number;
}

/**
 * Running totals of image builds, pulls and pushes over every worker of the
 * deployment, kept in Redis rather than in heartbeats: a worker that stops
 * takes its heartbeat with it, and its builds must still count. The fields
 * are a fixed set, so the hash never grows.
 */
@Injectable()
export class EnvironmentImageStats {
  /** Hash: "<operation>:<outcome>:count" and "…:seconds" -> running totals. */
  private readonly totalsKey: string;

  constructor(private readonly redis: RedisConnection) {
    this.totalsKey = redis.key('envs', 'image-stats');
  }

  async record(operation: ImageOperation, outcome: ImageOutcome, seconds: number): Promise<void> {
    await this.redis.client
      .multi()
      .hincrby(this.totalsKey, `${operation}:${outcome}:count`, 1)
      .hincrbyfloat(this.totalsKey, `${operation}:${outcome}:seconds`, seconds)
      .exec();
  }

  async totals(): Promise<ImageOperationTotal[]> {
    const raw = await this.redis.client.hgetall(this.totalsKey);
    return IMAGE_OPERATIONS.flatMap((operation) =>
      IMAGE_OUTCOMES.map((outcome) => ({
        operation,
        outcome,
        count: Number(raw[`${operation}:${outcome}:count`] ?? 0),
        seconds: Number(raw[`${operation}:${outcome}:seconds`] ?? 0),
      })),
    );
  }
}
