import type { HttpResponse } from './api-client';
import { eventually } from './eventually';

type Request = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<HttpResponse>;

/** Sessions through one API as one key: each call fails the test on any answer but the one it expects. */
export const sessionsOf = (request: Request) => {
  const expect = (response: HttpResponse, status: number, what: string): any => {
    if (response.status !== status)
      throw new Error(`${what}: expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body;
  };
  return {
    create: async (body: Record<string, unknown> = {}) =>
      expect(await request('POST', '/v1/sessions', body), 201, 'creating a session'),
    /** Runs a cell and waits for its final result. */
    run: async (id: string, code: string, extra: Record<string, unknown> = {}) =>
      expect(
        await request('POST', `/v1/sessions/${id}/executions?wait=true`, { code, ...extra }),
        200,
        `running ${JSON.stringify(code.slice(0, 40))}`,
      ),
    remove: async (id: string) => expect(await request('DELETE', `/v1/sessions/${id}`), 204, `deleting ${id}`),
    get: (id: string) => request('GET', `/v1/sessions/${id}`),
    /**
     * The session once it has ended (410). A death is recorded just after the
     * result of the cell that caused it, so a reader may see it a moment later.
     */
    ended: (id: string) =>
      eventually(`session ${id} ending (410)`, async () => {
        const response = await request('GET', `/v1/sessions/${id}`);
        return response.status === 410 ? (response.body as Record<string, unknown>) : undefined;
      }),
  };
};

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The width and height a PNG's header gives, after checking that it is one. */
export const pngSize = (base64: string): { width: number; height: number } => {
  const png = Buffer.from(base64, 'base64');
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE) || png.subarray(12, 16).toString('latin1') !== 'IHDR')
    throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
};
