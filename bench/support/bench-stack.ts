import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const LOG_DIR = join(ROOT, '.data', 'bench-logs');
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;

/** A free port on loopback, for a stack or a private redis-server. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/**
 * The built API and one worker (dist/), as an operator runs them, on a
 * loopback port: what every benchmark scenario measures. Logs go to
 * .data/bench-logs, so a slow or failing run can be looked into.
 */
export class BenchStack {
  private api: ChildProcess | undefined;
  private worker: ChildProcess | undefined;

  constructor(
    private readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The admin key the API bootstraps from ADMIN_API_KEY. */
  get adminKey(): string {
    return this.env.ADMIN_API_KEY;
  }

  get apiPid(): number | undefined {
    return this.api?.pid;
  }

  get workerPid(): number | undefined {
    return this.worker?.pid;
  }

  /** Resolves once the API is ready: Redis up and the worker has Docker and the default image. */
  async start(): Promise<void> {
    this.api = this.spawn('api', 'dist/apps/api/src/main.js', { PORT: String(this.port), HOST: '127.0.0.1' });
    this.worker = this.spawn('worker', 'dist/apps/worker/src/main.js', {});
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const ready = await fetch(`${this.baseUrl}/health/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${this.name}: not ready within ${READY_TIMEOUT_MS} ms (logs in ${LOG_DIR})`);
  }

  async stop(): Promise<void> {
    await Promise.all([this.api, this.worker].filter((child): child is ChildProcess => child !== undefined).map(stop));
  }

  private spawn(role: string, script: string, extraEnv: Record<string, string>): ChildProcess {
    mkdirSync(LOG_DIR, { recursive: true });
    const log = createWriteStream(join(LOG_DIR, `${this.name}-${role}.log`));
    const child = spawn(process.execPath, [join(ROOT, script)], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    return child;
  }
}

/** SIGTERM, then SIGKILL if the process has not exited within the grace period. */
const stop = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
