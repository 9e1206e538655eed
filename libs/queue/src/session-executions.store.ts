import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { RedisConnection } from '@sps/redis';
import { executionResult, ExecutionState } from './execution-result.builder';
import type { ExecutionResult } from './execution.types';
import { SessionRecords } from './session-records.store';

/** A session cell as stored: whose it is, and its state, from which executionResult() builds the public result. */
export interface SessionExecution {
  id: string;
  sessionId: string;
  ownerKeyId: string;
  createdAt: string;
  environment: string;
  state: ExecutionState;
}

export const sessionExecutionResult = (execution: SessionExecution): ExecutionResult =>
  executionResult(execution, execution.state);

/**
 * Where a session cell's state and result are kept: one key per cell, with
 * its expiry set as it is written, and a message on the sessions channel with
 * its id at every write, which wakes whoever waits for it. The API writes it
 * queued; the worker running the cell writes it running and then final.
 */
@Injectable()
export class SessionExecutions {
  private readonly ttlSeconds: number;

  constructor(
    private readonly redis: RedisConnection,
    private readonly records: SessionRecords,
    config: ConfigService<AppConfig, true>,
  ) {
    this.ttlSeconds = config.get('queue.resultTtlSeconds', { infer: true });
  }

  private keyOf(id: string): string {
    return this.redis.key('session-execution', id);
  }

  /** Writes a state of the cell, and wakes whoever waits for it when it is final. */
  async write(execution: SessionExecution): Promise<void> {
    const key = this.keyOf(execution.id);
    const value = JSON.stringify(execution);
    if (execution.state.kind === 'running') {
      await this.redis.client.set(key, value, 'EX', this.ttlSeconds);
      return;
    }
    await this.redis.client
      .multi()
      .set(key, value, 'EX', this.ttlSeconds)
      .publish(this.records.channel, execution.id)
      .exec();
  }

  /**
   * Writes a new cell as queued unless its worker has written it already: so
   * the API may send the cell and write it at once, and a cell that finished
   * first is never set back to queued.
   */
  async create(execution: SessionExecution): Promise<void> {
    await this.redis.client.set(this.keyOf(execution.id), JSON.stringify(execution), 'EX', this.ttlSeconds, 'NX');
  }

  async get(id: string): Promise<SessionExecution | null> {
    const raw = await this.redis.client.get(this.keyOf(id));
    return raw ? (JSON.parse(raw) as SessionExecution) : null;
  }

  async remove(id: string): Promise<void> {
    await this.redis.client.del(this.keyOf(id));
  }
}
