import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A unix socket that forwards to the real Docker socket until the test cuts it:
 * a worker pointed here (DOCKER_SOCKET) really loses its engine, while the shared
 * dockerd and every other worker go on as before.
 */
export class DockerSocketProxy {
  private readonly dir = mkdtempSync(join(tmpdir(), 'sps-docker-proxy-'));
  readonly path = join(this.dir, 'docker.sock');
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock') {}

  async open(): Promise<void> {
    rmSync(this.path, { force: true });
    this.server = createServer((client) => {
      const upstream = createConnection(this.target);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => this.server!.once('error', reject).listen(this.path, resolve));
  }

  /** Drops every open connection and stops listening: Docker is unreachable through here. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async close(): Promise<void> {
    await this.cut();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
