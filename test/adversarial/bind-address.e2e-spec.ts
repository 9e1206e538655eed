import { readFileSync } from 'node:fs';
import { privateStack } from '../support/private-stack';
import { hostile } from './hostile';

/** The local addresses (as /proc/net shows them, hex) on which something listens on `port`. */
const listeningOn = (port: number): string[] =>
  ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
    readFileSync(table, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      // local_address is "ADDR:PORT" in hex; state 0A is LISTEN.
      .filter((fields) => fields[3] === '0A' && parseInt(fields[1]?.split(':')[1] ?? '', 16) === port)
      .map((fields) => fields[1].split(':')[0]),
  );

const LOOPBACK = '0100007F';
const LOOPBACK_2 = '0200007F';

/**
 * With AUTH=off whoever reaches the port is an admin: the API then listens on
 * loopback only, unless HOST says otherwise. Checked on the listening socket
 * itself, so no packet leaves loopback.
 */
describe('adversarial: AUTH=off', () => {
  hostile('binds 127.0.0.1 when HOST is not set', async () => {
    const ctx = await privateStack('authoff', { AUTH: 'off', HOST: '' });
    try {
      await ctx.stack.start(0);
      expect(listeningOn(ctx.stack.port)).toEqual([LOOPBACK]);
      expect((await ctx.request('GET', '/v1/limits', undefined, { authorization: '' })).status).toBe(200);
    } finally {
      await ctx.cleanUp();
    }
  });

  hostile('binds where HOST says when it is set', async () => {
    const ctx = await privateStack('authoff-host', { AUTH: 'off', HOST: '127.0.0.2' });
    try {
      await ctx.stack.start(0);
      expect(listeningOn(ctx.stack.port)).toEqual([LOOPBACK_2]);
    } finally {
      await ctx.cleanUp();
    }
  });
});
