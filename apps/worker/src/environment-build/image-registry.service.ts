import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig, RegistryConfig } from '@sps/config';
import { ContainerRuntime, RegistryTransfer } from '@sps/sandbox';

/**
 * The registry of REGISTRY_URL, through this worker's engine: the engine does
 * the transfer, with the credentials sent along for that one request. Knows
 * nothing of Redis, so `npm run image:base -- --push` pushes with this code.
 */
@Injectable()
export class ImageRegistry {
  private readonly config: RegistryConfig;

  constructor(
    private readonly runtime: ContainerRuntime,
    config: ConfigService<AppConfig, true>,
  ) {
    this.config = config.get('registry', { infer: true });
  }

  /** REGISTRY_URL, or null when this worker builds every image itself. */
  get url(): string | null {
    return this.config.url;
  }

  get fallbackBuild(): boolean {
    return this.config.fallbackBuild;
  }

  /** The name of a local image (`repository:tag` or `repository@digest`) in the registry. */
  remote(local: string): string {
    if (!this.config.url) throw new Error('no registry is configured (REGISTRY_URL)');
    return `${this.config.url}/${local}`;
  }

  /** Pushes a local `repository:tag` under the same name in the registry and returns the manifest digest it got there. */
  async push(local: string, stop?: AbortSignal): Promise<string> {
    const remote = this.remote(local);
    await this.runtime.tagImage(local, remote);
    return this.transfer(stop, (transfer) => this.runtime.pushImage(remote, transfer));
  }

  /** Pulls a name returned by remote(); by digest, the engine checks every byte against it. */
  async pull(remote: string, stop?: AbortSignal): Promise<void> {
    await this.transfer(stop, (transfer) => this.runtime.pullImage(remote, transfer));
  }

  private async transfer<T>(
    stop: AbortSignal | undefined,
    work: (transfer: RegistryTransfer) => Promise<T>,
  ): Promise<T> {
    const { url, username, password, timeoutMs } = this.config;
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      return await work({
        // The registry's host is the first component of REGISTRY_URL; the credentials are for it.
        auth: username && password ? { username, password, serveraddress: url!.split('/')[0] } : null,
        signal: stop ? AbortSignal.any([timeout, stop]) : timeout,
      });
    } catch (error) {
      if (timeout.aborted)
        throw new Error(`the transfer took longer than REGISTRY_TIMEOUT_MS (${timeoutMs / 1000} s)`, { cause: error });
      throw error;
    }
  }
}
