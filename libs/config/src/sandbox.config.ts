import { registerAs } from '@nestjs/config';
import { CPU_COUNT, ConfigError, EnvReader } from './env-reader';

const MiB = 1024 * 1024;

export interface SandboxLimits {
  timeoutMs: number;
  memoryMb: number;
  cpus: number;
  pids: number;
  outputBytes: number;
}

export interface SandboxConfig {
  /** The image of the environment named `default`. */
  image: string;
  /** OCI runtime name handed to Docker, e.g. runc, crun or runsc. */
  runtime: string;
  defaults: SandboxLimits;
  max: SandboxLimits;
  allowNetwork: boolean;
  /** Docker network used only for jobs that ask for network when it is allowed. */
  network: string;
  uid: number;
  workdirMb: number;
  tmpMb: number;
  shmMb: number;
  nofile: number;
  maxOutputFiles: number;
  maxOutputFileBytes: number;
  maxOutputTotalBytes: number;
  dockerSocket: string;
}

const LIMIT_VARIABLES: Record<keyof SandboxLimits, string> = {
  timeoutMs: 'TIMEOUT_MS',
  memoryMb: 'MEMORY_MB',
  cpus: 'CPUS',
  pids: 'PIDS',
  outputBytes: 'OUTPUT_BYTES',
};

const readLimits = (env: EnvReader, kind: 'DEFAULT' | 'MAX', fallback: SandboxLimits): SandboxLimits => ({
  timeoutMs: env.int(`SANDBOX_${kind}_${LIMIT_VARIABLES.timeoutMs}`, fallback.timeoutMs, { min: 100, max: 3_600_000 }),
  memoryMb: env.int(`SANDBOX_${kind}_${LIMIT_VARIABLES.memoryMb}`, fallback.memoryMb, { min: 32, max: 1024 * 1024 }),
  cpus: env.number(`SANDBOX_${kind}_${LIMIT_VARIABLES.cpus}`, fallback.cpus, { min: 0.01, max: 1024 }),
  pids: env.int(`SANDBOX_${kind}_${LIMIT_VARIABLES.pids}`, fallback.pids, { min: 8, max: 100_000 }),
  outputBytes: env.int(`SANDBOX_${kind}_${LIMIT_VARIABLES.outputBytes}`, fallback.outputBytes, { min: 1024, max: 256 * MiB }),
});

export const readSandboxConfig = (env = new EnvReader()): SandboxConfig => {
  const defaults = readLimits(env, 'DEFAULT', { timeoutMs: 10_000, memoryMb: 256, cpus: 1, pids: 64, outputBytes: MiB });
  const max = readLimits(env, 'MAX', { timeoutMs: 60_000, memoryMb: 2048, cpus: CPU_COUNT, pids: 512, outputBytes: 8 * MiB });
  for (const [key, suffix] of Object.entries(LIMIT_VARIABLES) as [keyof SandboxLimits, string][]) {
    if (defaults[key] > max[key]) {
      throw new ConfigError(
        `SANDBOX_DEFAULT_${suffix} (${defaults[key]}) is above SANDBOX_MAX_${suffix} (${max[key]})`,
      );
    }
  }
  return {
    image: env.string('SANDBOX_IMAGE', 'simplepysandbox/sandbox:latest'),
    runtime: env.string('SANDBOX_RUNTIME', 'runc', /^[A-Za-z0-9_.-]{1,64}$/),
    defaults,
    max,
    allowNetwork: env.bool('SANDBOX_ALLOW_NETWORK', false),
    network: env.string('SANDBOX_NETWORK', 'bridge', /^[A-Za-z0-9_.-]{1,64}$/),
    uid: env.int('SANDBOX_UID', 10001, { min: 1, max: 2 ** 31 - 1 }),
    workdirMb: env.int('SANDBOX_WORKDIR_MB', 64, { min: 1, max: 64 * 1024 }),
    tmpMb: env.int('SANDBOX_TMP_MB', 64, { min: 1, max: 64 * 1024 }),
    shmMb: env.int('SANDBOX_SHM_MB', 16, { min: 1, max: 64 * 1024 }),
    nofile: env.int('SANDBOX_NOFILE', 256, { min: 32, max: 1_048_576 }),
    maxOutputFiles: env.int('SANDBOX_MAX_OUTPUT_FILES', 100, { min: 0, max: 100_000 }),
    maxOutputFileBytes: env.int('SANDBOX_MAX_OUTPUT_FILE_BYTES', 8 * MiB, { min: 0, max: 1024 * MiB }),
    maxOutputTotalBytes: env.int('SANDBOX_MAX_OUTPUT_TOTAL_BYTES', 16 * MiB, { min: 0, max: 4096 * MiB }),
    dockerSocket: env.string('DOCKER_SOCKET', '/var/run/docker.sock'),
  };
};

export const sandboxConfig = registerAs('sandbox', () => readSandboxConfig());
