import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { KeySlots } from './key-slots';
import { ServerBusyException } from './server-busy.exception';
import { TooManyRequestsException } from './too-many-requests.exception';

const RETRY_AFTER_SECONDS = 5;

/**
 * The Server-Sent Event streams this process holds open, of every kind
 * (build logs, executions' events): at most API_MAX_EVENT_STREAMS_PER_KEY for
 * one key (429), and API_MAX_EVENT_STREAMS in all (503). A stream costs a
 * socket, a timer and a channel for as long as it lasts, so a key's
 * followers must not crowd out everyone else's.
 */
@Injectable()
export class EventStreamSlots {
  private readonly maxPerKey: number;
  private readonly max: number;
  private readonly perKey = new KeySlots();
  private open = 0;

  constructor(config: ConfigService<AppConfig, true>) {
    this.maxPerKey = config.get('api.maxEventStreamsPerKey', { infer: true });
    this.max = config.get('api.maxEventStreams', { infer: true });
  }

  /** Takes a slot for `keyId`, or throws the refusal; the answer releases it (once, whenever it is called). */
  take(keyId: string): () => void {
    if (this.open >= this.max) {
      throw new ServerBusyException(
        `this server already holds ${this.max} event streams open (its maximum): try again shortly`,
        RETRY_AFTER_SECONDS,
      );
    }
    const release = this.perKey.take(keyId, this.maxPerKey);
    if (!release) {
      throw new TooManyRequestsException(
        `this API key already has ${this.maxPerKey} event streams open (its maximum): close one first`,
        RETRY_AFTER_SECONDS,
      );
    }
    this.open++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open--;
      release();
    };
  }
}
