import { ApiClient, asKey, createKey, isFinal } from './support/api-client';
import { deleteKeysUnder } from './support/redis-keys';
import { freePort, ServiceStack } from './support/service-stack';

const FLOOD = 200;

/**
 * A stack of its own with one worker that runs one job at a time, started
 * only once the queue is full, so the order jobs start in is all that is
 * measured: no clock, no timing.
 */
describe('fair share between keys', () => {
  let stack: ServiceStack;

  beforeAll(async () => {
    stack = new ServiceStack('fair', await freePort(), {
      REDIS_PREFIX: `${process.env.E2E_REDIS_PREFIX}-fair`,
      WORKER_CONCURRENCY: '1',
      POOL_SIZES: 'default=0',
      WAIT_CAP_MS: '5000',
      HEARTBEAT_INTERVAL_MS: '1000',
    });
    await stack.start(0);
  });

  afterAll(async () => {
    await stack.stop();
    await deleteKeysUnder(process.env.E2E_REDIS_URL!, stack.prefix);
  });

  it(`starts the single job of key B within a few jobs although key A has ${FLOOD} queued before it`, async () => {
    const admin = asKey(process.env.E2E_ADMIN_KEY!, stack.baseUrl);
    const a = asKey((await createKey('flood-a', {}, admin)).key, stack.baseUrl);
    const b = asKey((await createKey('single-b', {}, admin)).key, stack.baseUrl);
    const floodIds: string[] = [];
    for (let i = 0; i < FLOOD; i++) floodIds.push(await a.submit(`print(${i})`));
    const single = await b.submit('print("b")');

    stack.startWorker();
    const bResult = await b.pollUntil(single, isFinal, 120_000);
    expect(bResult).toMatchObject({ status: 'succeeded', stdout: 'b\n' });

    const startedBefore = await countStartedBefore(a, floodIds, Date.parse(bResult.startedAt));
    // First come, first served would start all 200 of A's jobs first. With one worker running
    // one job at a time, fair share starts B's right after A's first.
    expect(startedBefore).toBeLessThanOrEqual(2);

    await stack.stopWorker([...stack.workers.keys()][0]);
    for (const id of floodIds) await a.request('DELETE', `/v1/executions/${id}`);
  }, 240_000);
});

/** How many of `ids` started before `at`; stops at the first still queued, since later ones started later. */
const countStartedBefore = async (client: ApiClient, ids: string[], at: number): Promise<number> => {
  let count = 0;
  for (const id of ids) {
    const result = (await client.request('GET', `/v1/executions/${id}`)).body;
    if (result.startedAt === null) break;
    if (Date.parse(result.startedAt) < at) count++;
  }
  return count;
};
