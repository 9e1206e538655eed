import { datascienceSpec } from '../../libs/environments/src/builtin-environments';
import { readEvents, request } from './api-client';

/** Long enough to build the environment from Debian packages on a slow day. */
export const DATASCIENCE_BUILD_MS = 30 * 60_000;

/**
 * The built-in `datascience` recipe, as test/environments builds it, created
 * and followed until it is ready: at once when this host has its image already.
 */
export const datascienceReady = async (): Promise<void> => {
  const created = await request('POST', '/v1/environments', { name: 'datascience', ...datascienceSpec('apt') });
  expect([200, 202]).toContain(created.status);
  const { events } = await readEvents('/v1/environments/datascience/build-log', { timeoutMs: DATASCIENCE_BUILD_MS });
  expect(JSON.parse(events.find((e) => e.event === 'end')!.data)).toEqual({ status: 'ready', error: null });
};
