import { registerAs } from '@nestjs/config';
import { ConfigError, EnvReader } from './env-reader';
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
  /**
   * The uids jobs run as, one per container on an engine at a time (SANDBOX_UID_RANGE):
   * kernel limits counted per user (processes, inotify, pipe buffers, message queues)
   * are then each job's own.
   */
  uidRange: UidRange;
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

export interface UidRange {
  first: number;
  last: number;
}

// Below 1000 are the host's system accounts; 2^31-1 and up are not portable uids.
const UID_FLOOR = 1000;
const UID_CEILING = 2 ** 31 - 2;

/** "20000-29999" -> { first: 20000, last: 29999 }. */
export const parseUidRange = (name: string, raw: string): UidRange => {
  const match = /^(\d{1,10})-(\d{1,10})$/.exec(raw.trim());
  const [first, last] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(first >= UID_FLOOR && last <= UID_CEILING && first <= last)) {
    throw new ConfigError(
      `${name} must be "<first>-<last>" with ${UID_FLOOR} <= first <= last <= ${UID_CEILING}, got ${JSON.stringify(raw)}`,
    );
  }
  return { first, last };
};

export const readSandboxConfig = (env = new EnvReader()): SandboxConfig => {
  const { defaults, max } = readDefaultsAndMaxima<keyof SandboxLimits>(env, 'SANDBOX', SANDBOX_LIMITS);
  return {
    image: env.string('SANDBOX_IMAGE', 'simplepysandbox/sandbox:latest'),
    runtime: env.string('SANDBOX_RUNTIME', 'runc', /^[A-Za-z0-9_.-]{1,64}$/),
    defaults,
    max,
    allowNetwork: env.bool('SANDBOX_ALLOW_NETWORK', false),
    network: env.string('SANDBOX_NETWORK', 'bridge', /^[A-Za-z0-9_.-]{1,64}$/),
    uidRange: parseUidRange('SANDBOX_UID_RANGE', env.string('SANDBOX_UID_RANGE', '20000-29999')),
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
