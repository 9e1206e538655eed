import { registerAs } from '@nestjs/config';
import { ConfigError, EnvReader } from './env-reader';

/**
 * A registry as Docker names it in an image reference: a host with a dot or a
 * port (or `localhost`), so that Docker does not read it as a namespace on
 * Docker Hub, then optional path components. No scheme: the engine chooses
 * HTTPS, or plain HTTP for the insecure registries it is told of (and loopback).
 */
const REGISTRY =
  /^(?:(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::[0-9]{1,5})?|[a-z0-9-]+:[0-9]{1,5})(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

export interface RegistryConfig {
  /**
   * Where environment images (and the default image) travel between workers:
   * the worker that builds a version pushes it here, every other one pulls it
   * by digest. Null: each worker builds every image itself.
   */
  url: string | null;
  username: string | null;
  password: string | null;
  /** A worker whose pull failed builds the image itself, instead of waiting for the registry. */
  fallbackBuild: boolean;
  /** Longest push or pull of one image. */
  timeoutMs: number;
}

export const readRegistryConfig = (env = new EnvReader()): RegistryConfig => {
  const url = env.string('REGISTRY_URL', '').replace(/\/+$/, '');
  if (url && !REGISTRY.test(url)) {
    // The value is not secret, but it may hold a mistyped credential (https://user:pass@host): it is not echoed.
    throw new ConfigError(
      'REGISTRY_URL must name a registry the way Docker image references do: host[:port][/path], ' +
        'with a dot or a port in the host and no scheme (e.g. registry.example.com or 127.0.0.1:5000)',
    );
  }
  const username = env.string('REGISTRY_USERNAME', '');
  const password = env.string('REGISTRY_PASSWORD', '');
  if ((username || password) && !url)
    throw new ConfigError('REGISTRY_USERNAME and REGISTRY_PASSWORD need REGISTRY_URL');
  if (!username !== !password) throw new ConfigError('REGISTRY_USERNAME and REGISTRY_PASSWORD go together');
  return {
    url: url || null,
    username: username || null,
    password: password || null,
    fallbackBuild: env.bool('REGISTRY_FALLBACK_BUILD', false),
    timeoutMs: env.int('REGISTRY_TIMEOUT_MS', 10 * 60_000, { min: 10_000, max: 24 * 3600_000 }),
  };
};

export const registryConfig = registerAs('registry', () => readRegistryConfig());
