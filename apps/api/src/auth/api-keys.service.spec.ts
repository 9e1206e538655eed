import { BadRequestException, ConflictException, NotFoundException } from '@nestjs/common';
import { EnvReader, readSandboxConfig } from '@sps/config';
import { ApiKeyNameTakenError, ApiKeyRecord, ApiKeyStore, NewApiKey } from './api-key.store';
import { ApiKeysService } from './api-keys.service';

/** The store's behaviour without Redis: names unique, revoked keys gone. */
class FakeStore {
  readonly records = new Map<string, ApiKeyRecord>();
  private next = 1;

  async create(spec: NewApiKey) {
    if ([...this.records.values()].some((r) => r.name === spec.name)) throw new ApiKeyNameTakenError(spec.name);
    const record: ApiKeyRecord = { id: `id${this.next++}`, createdAt: 'now', quotas: {}, ...spec };
    this.records.set(record.id, record);
    return { record, key: `sps_secret_${record.id}` };
  }
  async get(id: string) {
    return this.records.get(id) ?? null;
  }
  async findByName(name: string) {
    return [...this.records.values()].find((r) => r.name === name) ?? null;
  }
  async revoke(id: string) {
    return this.records.delete(id);
  }
  async list() {
    return [...this.records.values()];
  }
}

const setup = () => {
  const store = new FakeStore();
  const max = readSandboxConfig(new EnvReader({})).max;
  const service = new ApiKeysService(store as unknown as ApiKeyStore, { get: () => max } as any);
  return { store, service, max };
};

const messagesOf = async (promise: Promise<unknown>): Promise<string[]> => {
  const error = await promise.then(
    () => undefined,
    (e) => e,
  );
  expect(error).toBeInstanceOf(BadRequestException);
  return (error.getResponse() as { message: string[] }).message;
};

describe('ApiKeysService', () => {
  it('creates a key and returns it once, with its record', async () => {
    const { service } = setup();
    const created = await service.create({ name: 'alice', role: 'user', quotas: { ratePerMinute: 10 } });
    expect(created).toMatchObject({
      name: 'alice',
      role: 'user',
      quotas: { ratePerMinute: 10 },
      key: expect.stringMatching(/^sps_/),
    });
  });

  it("refuses per-key maxima above the server's, naming each field", async () => {
    const { service, max } = setup();
    const messages = await messagesOf(
      service.create({
        name: 'x',
        role: 'user',
        quotas: { maxLimits: { memoryMb: max.memoryMb + 1, pids: max.pids, timeoutMs: max.timeoutMs * 2 } },
      }),
    );
    expect(messages).toEqual([
      `quotas.maxLimits.memoryMb must not be greater than ${max.memoryMb} (the server's maximum)`,
      `quotas.maxLimits.timeoutMs must not be greater than ${max.timeoutMs} (the server's maximum)`,
    ]);
  });

  it('answers 409 for a name that is taken', async () => {
    const { service } = setup();
    await service.create({ name: 'alice', role: 'user' });
    await expect(service.create({ name: 'alice', role: 'admin' })).rejects.toThrow(ConflictException);
  });

  it('revokes by id or by name, and 404s for what does not exist', async () => {
    const { service, store } = setup();
    const a = await service.create({ name: 'alice', role: 'user' });
    await service.create({ name: 'bob', role: 'user' });
    expect((await service.revoke(a.id)).name).toBe('alice');
    expect((await service.revoke('bob')).name).toBe('bob');
    expect(store.records.size).toBe(0);
    await expect(service.revoke('bob')).rejects.toThrow(NotFoundException);
    await expect(service.get(a.id)).rejects.toThrow(NotFoundException);
  });
});
