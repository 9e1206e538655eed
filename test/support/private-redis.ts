import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './service-stack';
import { eventually } from './eventually';

/** Whether Redis answers PING: it may say NOAUTH, which means it is up. */
const answers = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(/^(\+PONG|-NOAUTH)/.test(data.toString()));
    });
    socket.once('error', () => resolve(false));
  });

/**
 * A redis-server of the test's own, on a free loopback port, with AOF fsynced on
 * every write: the test can kill and restart it without touching the shared Redis.
 * Locked like the one the start scripts run: a password of its own, given on
 * stdin, and carried in `url`.
 */
export class PrivateRedis {
  private process: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'sps-redis-'));
  private readonly password = randomBytes(24).toString('hex');
  port = 0;

  get url(): string {
    return `redis://:${this.password}@127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port ||= await freePort();
    this.process = spawn('redis-server', ['-'], { stdio: ['pipe', 'ignore', 'ignore'] });
    this.process.stdin!.end(
      [
        'bind 127.0.0.1',
        `port ${this.port}`,
        `dir ${this.dir}`,
        'appendonly yes',
        'appendfsync always',
        'save ""',
        `requirepass ${this.password}`,
        '',
      ].join('\n'),
    );
    await eventually(
      `redis on port ${this.port}`,
      async () => ((await answers(this.port)) ? true : undefined),
      10_000,
      50,
    );
  }

  /** SIGKILL: no chance to save anything beyond what AOF already has. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
