import { Controller, Get, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { AppConfig } from '@sps/config';
import { RedisConnection, WorkerHeartbeat, WorkerRegistry } from '@sps/queue';
import type { FastifyReply } from 'fastify';

const REDIS_PING_TIMEOUT_MS = 1000;

interface Readiness {
  status: 'ok' | 'unavailable';
  redis: { up: boolean; latencyMs: number | null };
  workers: WorkerHeartbeat[];
  problems: string[];
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly heartbeatTtlMs: number;

  constructor(
    private readonly redis: RedisConnection,
    private readonly registry: WorkerRegistry,
    config: ConfigService<AppConfig, true>,
  ) {
    this.heartbeatTtlMs = config.get('worker.heartbeatTtlMs', { infer: true });
  }

  @Get('live')
  @ApiOkResponse({ description: 'The API process is up.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOkResponse({ description: 'Redis is reachable and a worker with Docker and the default image is live.' })
  @ApiServiceUnavailableResponse({ description: 'Something the service needs is missing; `problems` says what.' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    const problems: string[] = [];
    const redis = await this.pingRedis();
    if (!redis.up) problems.push('redis is unreachable');
    const workers = redis.up ? await this.registry.live(this.heartbeatTtlMs).catch(() => []) : [];
    const usable = workers.filter((w) => w.docker.up && w.environments.includes('default'));
    if (redis.up && !usable.length) {
      problems.push(
        workers.length
          ? 'no live worker has Docker up and the default image'
          : `no worker has sent a heartbeat in the last ${this.heartbeatTtlMs / 1000} s`,
      );
    }
    if (problems.length) reply.status(503);
    return { status: problems.length ? 'unavailable' : 'ok', redis, workers, problems };
  }

  private async pingRedis(): Promise<{ up: boolean; latencyMs: number | null }> {
    const started = performance.now();
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), REDIS_PING_TIMEOUT_MS).unref());
    try {
      await Promise.race([this.redis.client.ping(), timeout]);
      return { up: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
    } catch {
      return { up: false, latencyMs: null };
    }
  }
}
