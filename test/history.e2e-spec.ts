import { ApiClient, createKey, isFinal } from './support/api-client';
import { eventually } from './support/eventually';

const freshClient = async (name: string) => {
  const { key } = await createKey(name);
  return new ApiClient(() => key);
};

describe('execution history', () => {
  it('pages newest first with no item lost or repeated while new jobs arrive', async () => {
    const client = await freshClient('history-paging');
    const before: string[] = [];
    for (let i = 0; i < 3; i++) {
      const batch = await client.request('POST', '/v1/executions/batch', {
        executions: Array.from({ length: 7 }, () => ({ code: 'pass' })),
      });
      expect(batch.status).toBe(202);
      before.push(...batch.body.ids);
    }
    const seen: string[] = [];
    const arrivedMeanwhile: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/v1/executions?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await client.request('GET', query);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(4);
      for (const item of page.body.items) {
        expect(Object.keys(item)).not.toContain('stdout');
        seen.push(item.id);
      }
      cursor = page.body.nextCursor;
      // New work between every two pages: it is newer than anything still to come, so it never shows up in them.
      arrivedMeanwhile.push(await client.submit('pass'));
      pages++;
    } while (cursor);
    expect(pages).toBe(6);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...before].sort());
    // Newest first: every earlier batch comes after every later one.
    const batchOf = (id: string) => Math.floor(before.indexOf(id) / 7);
    const order = seen.map(batchOf);
    expect(order).toEqual([...order].sort((x, y) => y - x));
    // And from the top again, the new ones lead.
    const top = await client.request('GET', `/v1/executions?limit=${arrivedMeanwhile.length}`);
    expect(top.body.items.map((i: { id: string }) => i.id).sort()).toEqual([...arrivedMeanwhile].sort());
  });

  it('shows summaries, filters by status and environment, and shows nothing to another key', async () => {
    const client = await freshClient('history-filters');
    const ok = (await client.request('POST', '/v1/executions?wait=true', { code: 'print(1)' })).body;
    const bad = (await client.request('POST', '/v1/executions?wait=true', { code: 'raise SystemExit(2)' })).body;
    expect([ok.status, bad.status]).toEqual(['succeeded', 'failed']);
    const all = await client.request('GET', '/v1/executions');
    expect(all.body.items.map((i: { id: string }) => i.id)).toEqual([bad.id, ok.id]);
    expect(all.body.items[0]).toEqual({
      id: bad.id,
      status: 'failed',
      environment: 'default',
      createdAt: bad.createdAt,
      startedAt: bad.startedAt,
      finishedAt: bad.finishedAt,
      exitCode: 2,
      durationMs: Date.parse(bad.finishedAt) - Date.parse(bad.startedAt),
    });
    expect(all.body.nextCursor).toBeNull();
    const failed = await client.request('GET', '/v1/executions?status=failed');
    expect(failed.body.items.map((i: { id: string }) => i.id)).toEqual([bad.id]);
    const elsewhere = await client.request('GET', '/v1/executions?environment=datascience');
    expect(elsewhere.body.items).toEqual([]);

    const other = await freshClient('history-other');
    expect((await other.request('GET', '/v1/executions')).body).toEqual({ items: [], nextCursor: null });
  });

  it('drops an execution once it is deleted', async () => {
    const client = await freshClient('history-delete');
    const id = await client.submit('print(1)');
    await eventually('final', async () => {
      const result = (await client.request('GET', `/v1/executions/${id}`)).body;
      return isFinal(result) ? result : undefined;
    });
    expect((await client.request('DELETE', `/v1/executions/${id}`)).status).toBe(204);
    expect((await client.request('GET', '/v1/executions')).body.items).toEqual([]);
  });

  it.each([
    ['limit=0', 'limit must not be less than 1'],
    ['limit=101', 'limit must not be greater than 100'],
    ['limit=abc', 'limit must be an integer number'],
    ['cursor=%27%3B--', 'cursor must be a nextCursor this API gave'],
    ['status=done', 'status must be one of the following values'],
    ['environment=..%2Fx', 'environment must match'],
    ['colour=red', 'colour should not exist'],
  ])('refuses ?%s with a message naming it', async (query, message) => {
    const answer = await new ApiClient().request('GET', `/v1/executions?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body.message.join(' ')).toContain(message);
  });
});
