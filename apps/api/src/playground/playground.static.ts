import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PLAYGROUND_ASSETS_PREFIX } from './playground.routes';

/** `npm run build` bundles the playground here (apps/playground/playground.build.ts), beside dist/apps. */
const PLAYGROUND_DIR = resolve(__dirname, '..', '..', '..', '..', 'playground');

/**
 * The page loads only its own script and stylesheet and talks only to this
 * API. Output is inserted as text, so none of this should ever be needed; it
 * is the second wall if that fails:
 * - no inline script, no eval, and Trusted Types with no policy at all, so
 *   assigning a string to innerHTML (or any other HTML or script sink) throws;
 * - plots come as data: or blob: images;
 * - text/html displays open in a sandboxed frame from a blob: URL, with no
 *   scripts, inheriting this policy;
 * - no other site may frame the page (clickjacking a page that holds a key).
 */
const PLAYGROUND_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  'frame-src blob:',
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': PLAYGROUND_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // The page is opened with nothing in its URL worth leaking, and it links only to /docs.
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * Serves the playground as static files: the page at `/` and its assets under
 * PLAYGROUND_ASSETS_PREFIX, reachable without a key (RequestAuthenticator lets
 * exactly these routes through; the page asks for a key itself). Only the
 * files present at start get a route (no wildcard), so any other path under
 * the prefix is an unknown route like any other: 401 without a key.
 */
export const servePlayground = async (app: NestFastifyApplication): Promise<void> => {
  if (!existsSync(join(PLAYGROUND_DIR, 'index.html'))) {
    new Logger('Playground').warn(
      `the playground is not built (no ${PLAYGROUND_DIR}/index.html): "/" is not served; npm run build builds it`,
    );
    return;
  }
  // An encapsulated context: its headers hook and sendFile apply to these routes only.
  const plugin = async (instance: FastifyInstance): Promise<void> => {
    instance.addHook('onSend', async (_request, reply, payload) => {
      reply.headers(SECURITY_HEADERS);
      return payload;
    });
    await instance.register(fastifyStatic, {
      root: join(PLAYGROUND_DIR, 'assets'),
      prefix: PLAYGROUND_ASSETS_PREFIX,
      wildcard: false,
      index: false,
      // The build writes a .gz beside each asset; it is sent, not routed.
      preCompressed: true,
      globIgnore: ['**/*.gz'],
      // Asset names carry a hash of their content (entryNames in the build).
      maxAge: '365d',
      immutable: true,
    });
    instance.get('/', (_request, reply) =>
      reply.header('cache-control', 'no-cache').sendFile('index.html', PLAYGROUND_DIR, { cacheControl: false }),
    );
  };
  await app.register(plugin as never);
};
