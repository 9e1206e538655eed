import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvReader, readRedisConfig } from '@sps/config';
import Redis from 'ioredis';
import { eventually } from './support/eventually';
import { freePort, stopProcess } from './support/service-stack';

// js-yaml comes with the toolchain (Jest's coverage reader); only this test reads YAML.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { load } = require('js-yaml') as { load: (text: string) => unknown };

interface ComposeService {
  entrypoint?: string[];
  command: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
}

const ROOT = join(__dirname, '..');
const compose = load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
};
const { services } = compose;

/** What compose would run: `$$` is a literal `$`, and variables take their defaults. */
const interpolate = (text: string): string =>
  text.replace(/\$\{(\w+):-([^}]*)\}/g, (_all, _name: string, fallback: string) => fallback).replace(/\$\$/g, '$');

/**
 * The Redis of docker-compose.yml, run here without Docker (no registry is
 * reachable to pull its image): the commands of its services, with the shared
 * volume as a directory, against the host's redis-server.
 */
describe('docker compose: Redis with a password the apps are given', () => {
  const volume = mkdtempSync(join(tmpdir(), 'sps-compose-'));
  const inVolume = (text: string) => interpolate(text).replaceAll('/run/sps', volume).replaceAll('/secrets', volume);
  let redis: ChildProcess | undefined;
  let port = 0;

  const makeSecret = () =>
    execFileSync(services['redis-secret'].entrypoint![0], [
      ...services['redis-secret'].entrypoint!.slice(1),
      inVolume(services['redis-secret'].command[0]),
    ]);

  afterAll(async () => {
    if (redis) await stopProcess(redis);
    rmSync(volume, { recursive: true, force: true });
  });

  it('makes a password once, readable only by Redis and the API user, and never rewrites it', () => {
    makeSecret();
    const password = readFileSync(join(volume, 'redis-password'), 'utf8');
    expect(password).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(volume, 'redis.conf'), 'utf8')).toBe(`requirepass ${password}\n`);
    const owner = (file: string) => {
      const { uid, mode } = statSync(join(volume, file));
      return [uid, (mode & 0o777).toString(8)];
    };
    expect(owner('redis-password')).toEqual([1000, '400']);
    expect(owner('redis.conf')).toEqual([999, '400']);
    makeSecret();
    expect(readFileSync(join(volume, 'redis-password'), 'utf8')).toBe(password);
  });

  it('runs Redis with that password off its command line, maxmemory and noeviction', async () => {
    port = await freePort();
    const [program, ...args] = services.redis.command.map(inVolume);
    redis = spawn(program, [...args, '--port', String(port), '--bind', '127.0.0.1', '--dir', volume], {
      stdio: 'ignore',
    });
    const answer = (command: string) =>
      new Promise<string>((resolve) => {
        const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write(`${command}\r\n`));
        socket.once('data', (data) => (socket.destroy(), resolve(data.toString())));
        socket.once('error', () => resolve(''));
      });
    expect(await eventually('compose Redis up', async () => (await answer('SET x 1')) || undefined)).toMatch(
      /^-NOAUTH/,
    );
    const password = readFileSync(join(volume, 'redis-password'), 'utf8');
    expect(readFileSync(`/proc/${redis.pid}/cmdline`, 'utf8')).not.toContain(password);

    // The apps: REDIS_PASSWORD_FILE, read by libs/config as in every app.
    for (const app of ['api', 'worker']) {
      expect(services[app].environment?.REDIS_PASSWORD_FILE).toBe('/run/sps/redis-password');
      expect(services[app].volumes).toContain('redis-secret:/run/sps:ro');
    }
    const config = readRedisConfig(
      new EnvReader({
        REDIS_URL: `redis://127.0.0.1:${port}`,
        REDIS_PASSWORD_FILE: inVolume(services.api.environment!.REDIS_PASSWORD_FILE),
      }),
    );
    const client = new Redis(config.url, { password: config.password ?? undefined });
    try {
      expect(await client.config('GET', 'maxmemory')).toEqual(['maxmemory', String(1024 * 1024 * 1024)]);
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    } finally {
      client.disconnect();
    }

    // The health check authenticates through the environment, not its arguments.
    const [kind, check] = services.redis.healthcheck!.test;
    expect(kind).toBe('CMD-SHELL');
    execFileSync('sh', ['-c', inVolume(check).replace('redis-cli', `redis-cli -p ${port}`)]);
  });
});
