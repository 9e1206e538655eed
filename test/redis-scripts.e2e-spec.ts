import { RedisConnection, redisScript } from '@sps/redis';
import { eventually } from './support/eventually';
import { e2eRedisConfig } from './support/redis-client';
import { monitorRedis } from './support/redis-monitor';
import { deleteKeysUnder } from './support/redis-keys';

/**
 * RedisConnection against the real Redis: a script is defined on the
 * connection once and then sent by hash with only its keys and arguments,
 * which MONITOR shows command by command.
 */
describe('Redis scripts', () => {
  const prefix = `${process.env.E2E_REDIS_PREFIX}-scripts`;
  const settings: Record<string, unknown> = { redis: e2eRedisConfig(prefix) };
  const { url } = e2eRedisConfig();
  let connection: RedisConnection;
  let monitor: { close(): void };
  const commands: string[][] = [];

  beforeAll(async () => {
    connection = new RedisConnection({ get: (key: string) => settings[key] } as never);
    monitor = await monitorRedis(url, (args) => {
      // Everything on the shared Redis passes by, the commands scripts run included: only this test's script calls count.
      const command = args[0]?.toLowerCase();
      if ((command === 'eval' || command === 'evalsha') && args.some((arg) => arg.startsWith(`${prefix}:`)))
        commands.push(args);
    });
  });

  afterAll(async () => {
    monitor?.close();
    await connection.onModuleDestroy();
    await deleteKeysUnder(url, prefix);
  });

  const ADD = redisScript('e2eScriptAdd', 1, `return redis.call('INCRBY', KEYS[1], ARGV[1])`);

  it('sends the source of a script once per connection, and only its hash, keys and arguments after', async () => {
    const key = connection.key('counter');
    expect(key).toBe(`${prefix}:counter`);
    const totals = [];
    for (const step of [2, 3, 4]) totals.push(await connection.run(ADD, [key], [step]));
    expect(totals).toEqual([2, 5, 9]);
    const sent = await eventually(
      'three script commands in MONITOR',
      async () => (commands.length >= 3 ? commands : undefined),
      10_000,
      50,
    );
    expect(sent.map((args) => args[0].toLowerCase())).toEqual(['eval', 'evalsha', 'evalsha']);
    expect(sent[0][1]).toBe(ADD.lua);
    for (const [, sha, keyCount, ...rest] of sent.slice(1)) {
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
      expect([keyCount, ...rest]).toEqual(['1', key, expect.stringMatching(/^[34]$/)]);
    }
  });

  it('refuses a call with the wrong number of keys, and a second script under a taken name', () => {
    expect(() => connection.run(ADD, [], [1])).toThrow('Redis script e2eScriptAdd takes 1 keys, not 0');
    const impostor = redisScript('e2eScriptAdd', 1, `return 0`);
    expect(() => connection.run(impostor, [connection.key('x')])).toThrow(
      'the Redis script name e2eScriptAdd is taken',
    );
    expect(() => connection.run(redisScript('set', 1, 'return 0'), [connection.key('x')])).toThrow(
      'the Redis script name set is taken',
    );
  });

  it('delivers what is published on a channel to a subscription, until it is closed', async () => {
    const channel = connection.key('channel');
    const received: string[] = [];
    const subscription = await connection.subscribe(channel, (message) => received.push(message));
    await connection.client.publish(channel, 'one');
    await eventually('the message', async () => (received.length ? received : undefined), 10_000, 50);
    await subscription.close();
    expect(await connection.client.publish(channel, 'two')).toBe(0);
    expect(received).toEqual(['one']);
  });
});
