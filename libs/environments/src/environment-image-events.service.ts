import { Injectable } from '@nestjs/common';
import { RedisConnection, RedisSubscription } from '@sps/redis';

/** One version's image, by environment and spec hash. */
export interface ImageVersion {
  name: string;
  specHash: string;
}

interface ObsoleteImagesMessage {
  images: ImageVersion[];
}

/**
 * Images that no version wants any more (a version replaced, an environment
 * deleted), announced over pub/sub: the API and build jobs announce them, and
 * every worker's sweeper removes them from its own engine. A worker that
 * misses a message finds those images on its next periodic sweep.
 */
@Injectable()
export class EnvironmentImageEvents {
  private readonly channel: string;

  constructor(private readonly redis: RedisConnection) {
    this.channel = redis.key('env-events');
  }

  async announceObsolete(images: ImageVersion[]): Promise<void> {
    const message: ObsoleteImagesMessage = { images };
    await this.redis.client.publish(this.channel, JSON.stringify(message));
  }

  /** Calls `onObsolete` for every announcement from now on; a message of any other shape is ignored. */
  listen(onObsolete: (images: ImageVersion[]) => void): Promise<RedisSubscription> {
    return this.redis.subscribe(this.channel, (raw) => {
      const images = parseImages(raw);
      if (images) onObsolete(images);
    });
  }
}

const parseImages = (raw: string): ImageVersion[] | null => {
  try {
    const message = JSON.parse(raw) as Partial<ObsoleteImagesMessage> | null;
    return Array.isArray(message?.images) ? message.images : null;
  } catch {
    return null;
  }
};
