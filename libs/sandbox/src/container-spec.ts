import type { SandboxConfig, SandboxLimits } from '@sps/config';
import type { ContainerCreateOptions } from 'dockerode';
import { SANDBOX_LABELS } from './sandbox-labels';
import { SANDBOX_SECCOMP_OPTION } from './seccomp-profile';

export const SANDBOX_WORKDIR = '/sandbox';
/** The runner writes the code under this name in the working directory. */
export const MAIN_FILE_NAME = 'main.py';

export interface SandboxSpecInput {
  image: string;
  deployment: string;
  jobId: string;
  workerId: string;
  limits: SandboxLimits;
  network: boolean;
  /** The uid (and gid) the container runs as: leased for it alone, so no other container on the engine shares it. */
  uid: number;
  /** Epoch ms after which the container is fair game for the orphan reaper. */
  deadline: number;
}

// The container sees these and nothing else from us: nothing of the worker's
// own environment is passed through. HOME is /tmp so tools that write caches
// into HOME do not litter the working directory the results are collected from.
// The uid has no passwd entry: USER and LOGNAME answer getpass.getuser() instead.
const SANDBOX_ENV = [
  'HOME=/tmp',
  'USER=sandbox',
  'LOGNAME=sandbox',
  'LANG=C.UTF-8',
  'LC_ALL=C.UTF-8',
  'TMPDIR=/tmp',
  'MPLBACKEND=Agg',
  'MPLCONFIGDIR=/tmp/.config/matplotlib',
  'XDG_CACHE_HOME=/tmp/.cache',
  'OPENBLAS_NUM_THREADS=1',
  'OMP_NUM_THREADS=1',
];

export interface SandboxResources {
  Memory: number;
  MemorySwap: number;
  NanoCpus: number;
  PidsLimit: number;
}

/** The limits the engine enforces, in its terms; also what a pre-started container is updated with. */
export const sandboxResources = (limits: SandboxLimits): SandboxResources => {
  const memoryBytes = limits.memoryMb * 1024 * 1024;
  return {
    PidsLimit: limits.pids,
    Memory: memoryBytes,
    // MemorySwap = Memory disables swap, so the OOM killer fires at the limit.
    MemorySwap: memoryBytes,
    NanoCpus: Math.round(limits.cpus * 1e9),
  };
};

// noexec: nothing written by the job can be executed as a binary or mapped executable.
// nr_inodes: a tmpfs otherwise allows about one inode per two pages of host RAM, so
// "millions of small files" would run on until the memory limit (inodes are kernel
// memory charged to the container) and leave a directory too big to collect.
const tmpfs = (sizeMb: number, inodes: number, uid: number, mode: string): string =>
  `rw,nosuid,nodev,noexec,size=${sizeMb}m,nr_inodes=${inodes},uid=${uid},gid=${uid},mode=${mode}`;

/**
 * The hardened create options for one job's container. Pure, so the complete
 * spec can be pinned by a snapshot test: any weakening shows up in review.
 */
export const buildSandboxSpec = (input: SandboxSpecInput, config: SandboxConfig): ContainerCreateOptions => {
  const { limits, uid } = input;
  const networkMode = input.network && config.allowNetwork ? config.network : 'none';
  return {
    Image: input.image,
    // The image's CMD starts the runner; the user id is forced here, whatever the image says.
    User: `${uid}:${uid}`,
    WorkingDir: SANDBOX_WORKDIR,
    Env: [...SANDBOX_ENV],
    Tty: false,
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    NetworkDisabled: networkMode === 'none',
    Labels: {
      [SANDBOX_LABELS.managed]: 'true',
      [SANDBOX_LABELS.deployment]: input.deployment,
      [SANDBOX_LABELS.job]: input.jobId,
      [SANDBOX_LABELS.worker]: input.workerId,
      [SANDBOX_LABELS.deadline]: String(input.deadline),
      [SANDBOX_LABELS.uid]: String(uid),
    },
    HostConfig: {
      NetworkMode: networkMode,
      Runtime: config.runtime,
      ReadonlyRootfs: true,
      Tmpfs: {
        [SANDBOX_WORKDIR]: tmpfs(config.workdirMb, config.tmpfsInodes, uid, '0700'),
        '/tmp': tmpfs(config.tmpMb, config.tmpfsInodes, uid, '1777'),
        // Mounted here rather than by IpcMode so that it gets an inode limit too; Docker
        // then skips its own /dev/shm. ShmSize stays as the same cap should it not.
        '/dev/shm': tmpfs(config.shmMb, config.tmpfsInodes, uid, '1777'),
      },
      ShmSize: config.shmMb * 1024 * 1024,
      CapDrop: ['ALL'],
      CapAdd: [],
      // The project's own profile: Docker's default for a container without capabilities, minus memfd_create,
      // ptrace and io_uring (libs/sandbox/src/seccomp-profile.ts says why).
      SecurityOpt: ['no-new-privileges:true', SANDBOX_SECCOMP_OPTION],
      Privileged: false,
      IpcMode: 'private',
      PidMode: '',
      // An init process as PID 1 reaps zombies and cannot be killed from inside.
      Init: true,
      ...sandboxResources(limits),
      OomScoreAdj: 500,
      Ulimits: [
        { Name: 'nofile', Soft: config.nofile, Hard: config.nofile },
        { Name: 'core', Soft: 0, Hard: 0 },
      ],
      // Output is streamed through attach; a log driver would copy a flood onto the host's disk.
      LogConfig: { Type: 'none', Config: {} },
      AutoRemove: false,
      RestartPolicy: { Name: 'no' },
    },
  };
};
