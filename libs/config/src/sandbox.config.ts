import { registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';
import { readDefaultsAndMaxima, SANDBOX_LIMITS, SandboxLimits } from './sandbox-limits';

const MiB = 1024 * 1024;

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
  /** Files and directories each tmpfs (/sandbox, /tmp, /dev/shm) can hold. */
  tmpfsInodes: number;
  nofile: number;
  maxOutputFiles: number;
  maxOutputFileBytes: number;
  maxOutputTotalBytes: number;
  /** Most displays (figures, display() calls) one job or cell returns. */
  maxDisplays: number;
  dockerSocket: string;
}

export const readSandboxConfig = (env = new EnvReader()): SandboxConfig => {
  const { defaults, max } = readDefaultsAndMaxima<keyof SandboxLimits>(env, 'SANDBOX', SANDBOX_LIMITS);
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
    tmpfsInodes: env.int('SANDBOX_TMPFS_INODES', 16_384, { min: 64, max: 1_048_576 }),
    nofile: env.int('SANDBOX_NOFILE', 256, { min: 32, max: 1_048_576 }),
    maxOutputFiles: env.int('SANDBOX_MAX_OUTPUT_FILES', 100, { min: 0, max: 100_000 }),
    maxOutputFileBytes: env.int('SANDBOX_MAX_OUTPUT_FILE_BYTES', 8 * MiB, { min: 0, max: 1024 * MiB }),
    maxOutputTotalBytes: env.int('SANDBOX_MAX_OUTPUT_TOTAL_BYTES', 16 * MiB, { min: 0, max: 4096 * MiB }),
    maxDisplays: env.int('SANDBOX_MAX_DISPLAYS', 50, { min: 0, max: 10_000 }),
    dockerSocket: env.string('DOCKER_SOCKET', '/var/run/docker.sock'),
  };
};

export const sandboxConfig = registerAs('sandbox', () => readSandboxConfig());
