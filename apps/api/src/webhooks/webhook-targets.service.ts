import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { refusedAddressReason } from './webhook-address.rules';

/** A webhook URL that may not be used; the message completes "webhook.url ...". */
export class WebhookTargetError extends Error {}

/** A URL checked for sending, with the one address it was checked at: the connection goes there and nowhere else. */
export interface WebhookTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

/** A name that does not resolve within this long is refused: a slow resolver holds neither a request nor a delivery. */
const RESOLVE_TIMEOUT_MS = 2000;

/**
 * The SSRF rules of webhooks, in one place, applied when a job is submitted and
 * again before every try (a name may point elsewhere by then): http or https
 * only, no credentials in the URL, and every address the host resolves to a
 * public one (see webhook-address.rules.ts), unless WEBHOOK_ALLOW_PRIVATE=true.
 * The sender connects to the address checked here, so a name that resolves
 * differently a moment later (DNS rebinding) changes nothing.
 */
@Injectable()
export class WebhookTargets {
  private readonly allowPrivate: boolean;
  private readonly maxUrlLength: number;

  constructor(config: ConfigService<AppConfig, true>) {
    const webhooks = config.get('webhooks', { infer: true });
    this.allowPrivate = webhooks.allowPrivate;
    this.maxUrlLength = webhooks.maxUrlLength;
  }

  /** The URL's form alone, with no lookup. */
  parse(raw: string): URL {
    if (raw.length > this.maxUrlLength) throw new WebhookTargetError(`must be at most ${this.maxUrlLength} characters`);
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new WebhookTargetError('must be an absolute http or https URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new WebhookTargetError(`must use http or https, not ${url.protocol.replace(/:$/, '')}`);
    }
    // Credentials would travel with every delivery and show in every result.
    if (url.username || url.password) throw new WebhookTargetError('must not carry a user name or password');
    if (!url.hostname) throw new WebhookTargetError('must name a host');
    return url;
  }

  /** The URL with the address to connect to, or a WebhookTargetError saying why it may not be used. */
  async resolve(raw: string): Promise<WebhookTarget> {
    const url = this.parse(raw);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await this.lookup(host);
    if (!addresses.length) throw new WebhookTargetError(`has a host, ${host}, with no address`);
    if (!this.allowPrivate) {
      // Every address, not just the first: the one refused could be the one a retry is sent to.
      for (const { address } of addresses) {
        const why = refusedAddressReason(address);
        if (why) throw new WebhookTargetError(`resolves to ${address}, which is ${why}: not allowed`);
      }
    }
    const { address, family } = addresses[0];
    return { url, address, family: family === 6 ? 6 : 4 };
  }

  private async lookup(host: string): Promise<{ address: string; family: number }[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new WebhookTargetError(`has a host, ${host}, that did not resolve in time`)),
        RESOLVE_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([lookup(host, { all: true, verbatim: true }), timeout]);
    } catch (error) {
      if (error instanceof WebhookTargetError) throw error;
      throw new WebhookTargetError(`has a host, ${host}, that does not resolve`);
    } finally {
      clearTimeout(timer);
    }
  }
}
