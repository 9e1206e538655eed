import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { RedisConnection } from './redis-connection.service';

/**
 * Called with each message on a channel, or with null when messages may have
 * been missed (the connection dropped and came back): look again then.
 */
export type ChannelListener = (message: string | null) => void;

/**
 * Pub/sub for many short-lived listeners on one connection per process: a
 * process subscribes only to the channels someone in it listens to, and
 * unsubscribes when the last of them goes. Waiting for one execution, or
 * following one build log, costs a channel, never a connection.
 */
@Injectable()
export class RedisChannels implements OnModuleDestroy {
  private subscriber: Redis | undefined;
  private readonly listeners = new Map<string, { all: Set<ChannelListener>; subscribed: Promise<unknown> }>();

  constructor(private readonly redis: RedisConnection) {}

  /** Resolves once Redis has confirmed the subscription: anything published from then on reaches `listener`. */
  async listen(channel: string, listener: ChannelListener): Promise<() => void> {
    let entry = this.listeners.get(channel);
    if (!entry) {
      entry = { all: new Set(), subscribed: this.connection().subscribe(channel) };
      this.listeners.set(channel, entry);
    }
    const { all } = entry;
    all.add(listener);
    const stop = () => {
      all.delete(listener);
      if (all.size || this.listeners.get(channel) !== entry) return;
      this.listeners.delete(channel);
      this.subscriber?.unsubscribe(channel).catch(() => undefined);
    };
    try {
      await entry.subscribed;
    } catch (error) {
      stop();
      throw error;
    }
    return stop;
  }

  /** How many channels this process listens to now. */
  get channels(): number {
    return this.listeners.size;
  }

  private connection(): Redis {
    if (this.subscriber) return this.subscriber;
    const subscriber = this.redis.duplicate();
    subscriber.on('message', (channel: string, message: string) => {
      for (const listener of [...(this.listeners.get(channel)?.all ?? [])]) listener(message);
    });
    // ioredis subscribes again by itself after a reconnect; what was published meanwhile is lost, so everyone looks again.
    let connectedBefore = false;
    subscriber.on('ready', () => {
      if (connectedBefore)
        for (const { all } of this.listeners.values()) for (const listener of [...all]) listener(null);
      connectedBefore = true;
    });
    this.subscriber = subscriber;
    return subscriber;
  }

  async onModuleDestroy(): Promise<void> {
    for (const { all } of this.listeners.values()) for (const listener of [...all]) listener(null);
    this.listeners.clear();
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }
}
