import Docker from 'dockerode';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './service-stack';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

const script = async (...args: string[]): Promise<void> => {
  try {
    await run('bash', [join(ROOT, 'scripts/test-fleet.sh'), ...args], { cwd: ROOT });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`scripts/test-fleet.sh ${args[0]} failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
  }
};

/**
 * A second host on this machine, through scripts/test-fleet.sh: a real
 * registry (CNCF Distribution) on 127.0.0.1 that asks for credentials, and a
 * second Docker engine with its own data root and socket, which starts with no images.
 */
export class TestFleet {
  readonly username = 'sps-tests';
  readonly password = randomBytes(12).toString('hex');
  /** The second engine. */
  readonly docker: Docker;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    this.docker = new Docker({ socketPath: this.socket });
  }

  static async start(name: string): Promise<TestFleet> {
    const fleet = new TestFleet(join(ROOT, '.data', `${name}-${process.pid}`), await freePort());
    await script('start', fleet.dir, String(fleet.port), fleet.username, fleet.password);
    return fleet;
  }

  /** REGISTRY_URL for it. */
  get registryUrl(): string {
    return `127.0.0.1:${this.port}`;
  }

  get socket(): string {
    return join(this.dir, 'engine', 'docker.sock');
  }

  /** The worker settings that use this registry. */
  get registrySettings(): Record<string, string> {
    return { REGISTRY_URL: this.registryUrl, REGISTRY_USERNAME: this.username, REGISTRY_PASSWORD: this.password };
  }

  /** The credentials as the engine takes them with a pull or push. */
  get auth(): { username: string; password: string; serveraddress: string } {
    return { username: this.username, password: this.password, serveraddress: this.registryUrl };
  }

  stopRegistry(): Promise<void> {
    return script('registry-stop', this.dir);
  }

  /** Again on the same port, with the same storage. */
  startRegistry(): Promise<void> {
    return script('registry-start', this.dir);
  }

  /** The manifest digest the registry holds under `repository:tag`, or null. */
  async manifestDigest(repository: string, tag: string): Promise<string | null> {
    const response = await fetch(`http://${this.registryUrl}/v2/${repository}/manifests/${tag}`, {
      method: 'HEAD',
      headers: {
        authorization: `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`,
        accept: 'application/vnd.docker.distribution.manifest.v2+json',
      },
    });
    return response.ok ? response.headers.get('docker-content-digest') : null;
  }

  /** Stops the registry and the engine and removes everything they kept. */
  stop(): Promise<void> {
    return script('stop', this.dir);
  }
}
