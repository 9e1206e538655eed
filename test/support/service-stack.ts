import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const LOG_DIR = join(ROOT, '.data', 'e2e-logs');

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
 * The real API and worker processes, built into dist/, against the real Redis
 * and Docker: what an operator runs, started the way an operator starts it.
 */
export class ServiceStack {
  readonly workers = new Map<string, ChildProcess>();
  private api: ChildProcess | undefined;
  private nextWorker = 1;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  /** On loopback: where the API listens when the stack sets a HOST of its own, 127.0.0.1 otherwise. */
  get baseUrl(): string {
    const host = this.env.HOST || '127.0.0.1';
    return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${this.port}`;
  }

  get apiPid(): number | undefined {
    return this.api?.pid;
  }

  get prefix(): string {
    return this.env.REDIS_PREFIX;
  }

  /** The admin key the API bootstraps from ADMIN_API_KEY: its own setting, or the one it inherits. */
  get adminKey(): string {
    const key = this.env.ADMIN_API_KEY ?? process.env.ADMIN_API_KEY;
    if (!key) throw new Error(`${this.name} has no ADMIN_API_KEY`);
    return key;
  }

  get apiProcess(): ChildProcess | undefined {
    return this.api;
  }

  logPath(role: string): string {
    return join(LOG_DIR, `${this.name}-${role}.log`);
  }

  async start(workerCount = 1): Promise<void> {
    // Loopback unless the stack says otherwise (an empty HOST leaves the API its default).
    const host = this.env.HOST ?? '127.0.0.1';
    this.api = this.spawn('api', 'dist/apps/api/src/main.js', { PORT: String(this.port), HOST: host });
    for (let i = 0; i < workerCount; i++) this.startWorker();
    // With no worker the API cannot be ready, only live.
    await (workerCount ? this.waitUntilReady() : this.waitUntil('/health/live'));
  }

  async stopWorker(id: string): Promise<void> {
    const child = this.workers.get(id);
    if (child) await stopProcess(child);
    this.workers.delete(id);
  }

  startWorker(extraEnv: Record<string, string> = {}): string {
    const id = `${this.prefix}-w${this.nextWorker++}`;
    this.workers.set(id, this.spawn(id, 'dist/apps/worker/src/main.js', { WORKER_ID: id, ...extraEnv }));
    return id;
  }

  async waitUntilReady(timeoutMs = 30_000): Promise<void> {
    await this.waitUntil('/health/ready', timeoutMs);
  }

  async waitUntil(path: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`${this.baseUrl}${path}`);
        if (response.status === 200) return;
        last = await response.text();
      } catch (error) {
        last = String(error);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${this.name}: ${path} did not answer 200: ${last} (logs in ${LOG_DIR})`);
  }

  async stop(): Promise<void> {
    const all = [this.api, ...this.workers.values()].filter((p): p is ChildProcess => !!p);
    await Promise.all(all.map((child) => stopProcess(child)));
    this.workers.clear();
  }

  private spawn(role: string, script: string, extraEnv: Record<string, string>): ChildProcess {
    mkdirSync(LOG_DIR, { recursive: true });
    const log = createWriteStream(this.logPath(role));
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

/** Resolves with the exit code (or the signal) once the process has exited. */
export const exitOf = (child: ChildProcess): Promise<number | NodeJS.Signals> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode ?? child.signalCode!);
    child.once('exit', (code, signal) => resolve(code ?? signal!));
  });

export const stopProcess = (child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
