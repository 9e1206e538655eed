import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import Redis from 'ioredis';
import type { RedisScript } from './redis-script';

/** A pub/sub subscription on a connection of its own; `close` ends both. */
export interface RedisSubscription {
  close(): Promise<void>;
}

type ScriptCommand = (...keysAndArgs: (string | number | Buffer)[]) => Promise<unknown>;

/**
 * One plain Redis client per process for the service's own keys (BullMQ keeps
 * its own connections). Features name their keys with `key()`, under the
 * deployment's prefix, and run their scripts with `run()`.
 */
@Injectable()
export class RedisConnection implements OnModuleDestroy {
  readonly client: Redis;
  /** REDIS_PREFIX: every key of this deployment starts with it, so deployments can share a Redis. */
  readonly prefix: string;
  private readonly scripts = new Map<string, RedisScript>();

  constructor(config: ConfigService<AppConfig, true>) {
    const { url, password, prefix } = config.get('redis', { infer: true });
    this.client = new Redis(url, { password: password ?? undefined, maxRetriesPerRequest: 2 });
    this.client.on('error', () => undefined); // reconnects by itself; callers see failures as rejected commands
    this.prefix = prefix;
  }

  /** `key('apikeys', 'names')` is "<prefix>:apikeys:names". */
  key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  /**
   * Runs `script` with its keys and arguments. The first call defines it on the
   * client (ioredis then sends EVALSHA, and the source only to a server that
   * does not know it yet); two different scripts under one name are a bug.
   */
  run(script: RedisScript, keys: string[], args: (string | number | Buffer)[] = []): Promise<unknown> {
    if (keys.length !== script.keys)
      throw new Error(`Redis script ${script.name} takes ${script.keys} keys, not ${keys.length}`);
    const known = this.scripts.get(script.name);
    if (known !== script) {
      if (known || script.name in this.client) throw new Error(`the Redis script name ${script.name} is taken`);
      this.client.defineCommand(script.name, { numberOfKeys: script.keys, lua: script.lua });
      this.scripts.set(script.name, script);
    }
    const command = (this.client as unknown as Record<string, ScriptCommand>)[script.name];
    return command.call(this.client, ...keys, ...args);
  }

  /** A separate connection, for commands that hold one (blocking reads, SUBSCRIBE). */
  duplicate(): Redis {
    const copy = this.client.duplicate();
    copy.on('error', () => undefined);
    return copy;
  }

  /** Calls `onMessage` with every message published on `channel`, over a connection of its own. */
  async subscribe(channel: string, onMessage: (message: string) => void): Promise<RedisSubscription> {
    const subscriber = this.duplicate();
    subscriber.on('message', (_channel: string, message: string) => onMessage(message));
    await subscriber.subscribe(channel);
    return {
      close: () =>
        subscriber.quit().then(
          () => undefined,
          () => subscriber.disconnect(),
        ),
    };
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
