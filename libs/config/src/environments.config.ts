import { registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';

const MiB = 1024 * 1024;
const DOCKER_REPOSITORY = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]{1,5})?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const HTTP_URL = /^https?:\/\/[^\s'"\\$`]+$/;

export type DatascienceSetting = 'apt' | 'conda' | 'off';

export interface EnvironmentsConfig {
  /**
   * Docker network for image builds, or `auto`: Docker's default `bridge` when
   * the engine has one, else `host` (engines started with `--bridge=none`; then
   * package scripts run during a build can reach services on the host's loopback).
   */
  buildNetwork: string;
  buildTimeoutMs: number;
  /** Environment images are tagged `<repository>:<name>-<specHash>`. */
  imageRepository: string;
  /** A directory of wheels and sdists offered to every pip build, or null. */
  pipWheelhouse: string | null;
  pipWheelhouseMaxBytes: number;
  pipIndexUrl: string | null;
  /** Install pip packages from the wheelhouse only, never from an index. */
  pipNoIndex: boolean;
  micromambaUrl: string;
  micromambaSha256: string | null;
  /** How long a job for an environment that is still building waits for it before it ends as `error`. */
  waitMs: number;
  /** How often a worker removes environment images that no version in the catalogue uses any more. */
  sweepIntervalMs: number;
  /** Which recipe the built-in `datascience` environment uses, or `off` for none. */
  datascience: DatascienceSetting;
  /** Lines kept per build log. */
  logMaxLines: number;
}

const optional = (value: string): string | null => (value === '' ? null : value);

export const readEnvironmentsConfig = (env = new EnvReader()): EnvironmentsConfig => ({
  buildNetwork: env.string('ENV_BUILD_NETWORK', 'auto', /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/),
  buildTimeoutMs: env.int('ENV_BUILD_TIMEOUT_MS', 30 * 60_000, { min: 10_000, max: 24 * 3600_000 }),
  imageRepository: env.string('ENV_IMAGE_REPOSITORY', 'simplepysandbox/env', DOCKER_REPOSITORY),
  pipWheelhouse: optional(env.string('ENV_PIP_WHEELHOUSE', '', /^(?:\/.*)?$/)),
  pipWheelhouseMaxBytes: env.int('ENV_PIP_WHEELHOUSE_MAX_BYTES', 512 * MiB, { min: 0, max: 16 * 1024 * MiB }),
  pipIndexUrl: optional(env.string('ENV_PIP_INDEX_URL', '', new RegExp(`^(?:${HTTP_URL.source.slice(1, -1)})?$`))),
  pipNoIndex: env.bool('ENV_PIP_NO_INDEX', false),
  micromambaUrl: env.string(
    'ENV_MICROMAMBA_URL',
    'https://github.com/mamba-org/micromamba-releases/releases/download/2.3.0-1/micromamba-linux-64',
    HTTP_URL,
  ),
  micromambaSha256: optional(env.string('ENV_MICROMAMBA_SHA256', '', /^(?:[0-9a-f]{64})?$/)),
  waitMs: env.int('ENV_WAIT_MS', 10 * 60_000, { min: 0, max: 24 * 3600_000 }),
  sweepIntervalMs: env.int('ENV_SWEEP_INTERVAL_MS', 60_000, { min: 1000, max: 24 * 3600_000 }),
  datascience: env.string('ENV_DATASCIENCE', 'apt', /^(?:apt|conda|off)$/) as DatascienceSetting,
  logMaxLines: env.int('ENV_BUILD_LOG_MAX_LINES', 5000, { min: 200, max: 1_000_000 }),
});

export const environmentsConfig = registerAs('environments', () => readEnvironmentsConfig());
