import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { WebhookTarget } from './webhook-targets.service';

/** What a receiver answered: its status, and no more of its body than the cap. */
export interface WebhookResponse {
  statusCode: number;
  bodyBytes: number;
}

/**
 * Sends one POST to a checked target. The connection goes to the address the
 * check approved (a lookup that always answers it), while the Host header and
 * TLS name stay the URL's, so certificates are verified as usual. Redirects
 * are not followed (a 3xx is an answer like any other non-2xx), no connection
 * is reused, the whole exchange is cut off after the timeout, and at most
 * `maxResponseBytes` of the answer are read.
 */
@Injectable()
export class WebhookSender {
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;

  constructor(config: ConfigService<AppConfig, true>) {
    const webhooks = config.get('webhooks', { infer: true });
    this.timeoutMs = webhooks.timeoutMs;
    this.maxResponseBytes = webhooks.maxResponseBytes;
  }

  post(target: WebhookTarget, body: string, headers: Record<string, string>): Promise<WebhookResponse> {
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if ((options as { all?: boolean }).all) {
        (callback as unknown as (e: null, all: { address: string; family: number }[]) => void)(null, [
          { address: target.address, family: target.family },
        ]);
      } else callback(null, target.address, target.family);
    };
    const { url } = target;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<WebhookResponse>((resolve, reject) => {
      const request = send(
        url,
        {
          method: 'POST',
          agent: false,
          lookup: pinned,
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            'user-agent': 'SimplePySandbox-Webhooks/1',
          },
        },
        (response: IncomingMessage) => {
          let bytes = 0;
          const done = () => {
            clearTimeout(timer);
            resolve({ statusCode: response.statusCode ?? 0, bodyBytes: bytes });
          };
          response.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (bytes >= this.maxResponseBytes) {
              // Enough to know the answer: the rest is not read, and the connection goes.
              bytes = this.maxResponseBytes;
              response.destroy();
              done();
            }
          });
          response.on('end', done);
          response.on('error', (error) => {
            clearTimeout(timer);
            reject(error);
          });
        },
      );
      const timer = setTimeout(
        () => request.destroy(new Error(`no complete answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.end(body);
    });
  }
}
