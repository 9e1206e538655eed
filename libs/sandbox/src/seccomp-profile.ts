/**
 * The seccomp profile of every sandbox: Docker's default profile as it applies
 * to a container with no capabilities, made stricter. Like Docker's, it is an
 * allowlist: a system call named in no group below fails with EPERM.
 *
 * Left out, where Docker's default allows them:
 * - memfd_create and memfd_secret: a memfd is a file in memory on a mount that
 *   is not noexec, so a program written into one could be run with execve of
 *   /proc/self/fd/N. With these gone, and the three writable mounts noexec, no
 *   file the job writes can be executed or mapped executable.
 * - ptrace, process_vm_readv and process_vm_writev: no reading or rewriting
 *   another process's memory (Docker allows them on kernels from 4.8).
 * - io_uring_setup, io_uring_enter and io_uring_register: io_uring carries out
 *   reads, writes, opens and socket calls that seccomp never sees, so it would
 *   step around this very list, and it has been a rich source of kernel bugs.
 *   Python does not use it.
 * - shmat with SHM_EXEC: System V shared memory is memory-backed too.
 * - every 32-bit entry point (x86, x32, arm): the profile names no
 *   sub-architectures, so only the native 64-bit system call table is reachable.
 * Everything Docker allows only with a capability (mount, unshare, setns, bpf,
 * perf_event_open, new namespaces through clone, module loading, ...) is absent,
 * since sandboxes have none. keyctl, add_key, request_key and userfaultfd are
 * not in Docker's default either.
 *
 * The worker hands it to Docker as `seccomp=<json>`, so it does not depend on
 * the profile of whichever Docker version the host runs.
 */

/** The parts of Docker's profile format used here (moby's profiles/seccomp types). */
export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: 'SCMP_CMP_EQ' | 'SCMP_CMP_NE' | 'SCMP_CMP_MASKED_EQ';
}

export interface SeccompRule {
  names: string[];
  action: 'SCMP_ACT_ALLOW' | 'SCMP_ACT_ERRNO';
  errnoRet?: number;
  args?: SeccompArg[];
  comment: string;
}

export interface SeccompProfile {
  defaultAction: 'SCMP_ACT_ERRNO';
  defaultErrnoRet: number;
  archMap: { architecture: string; subArchitectures: string[] }[];
  syscalls: SeccompRule[];
}

const EPERM = 1;
const ENOSYS = 38;
/** CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID and NEWNET: every flag that makes a namespace. */
const CLONE_NEW_NAMESPACE_FLAGS = 0x7e020000;
const SHM_EXEC = 0o100000;
const AF_VSOCK = 40;
/** PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32, and 0xffffffff, which only asks for the current one. */
const HARMLESS_PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

const allow = (comment: string, names: string[]): SeccompRule => ({ names, action: 'SCMP_ACT_ALLOW', comment });

/** Groups of unconditionally allowed calls. Names that do not exist on an architecture are skipped by the runtime. */
const ALLOWED: SeccompRule[] = [
  allow('files and directories: open, read, write, stat, rename, link, truncate, sync', [
    ...['access', 'faccessat', 'faccessat2', 'chdir', 'fchdir', 'getcwd', 'umask'],
    ...['open', 'openat', 'openat2', 'creat', 'close', 'close_range', 'name_to_handle_at'],
    ...['read', 'readv', 'pread64', 'preadv', 'preadv2', 'readahead'],
    ...['write', 'writev', 'pwrite64', 'pwritev', 'pwritev2'],
    ...['lseek', '_llseek', 'sendfile', 'sendfile64', 'copy_file_range', 'splice', 'tee', 'vmsplice'],
    ...['dup', 'dup2', 'dup3', 'fcntl', 'fcntl64', 'flock', 'pipe', 'pipe2'],
    ...['stat', 'stat64', 'lstat', 'lstat64', 'fstat', 'fstat64', 'fstatat64', 'newfstatat', 'statx'],
    ...['statfs', 'statfs64', 'fstatfs', 'fstatfs64'],
    ...['getdents', 'getdents64', 'mkdir', 'mkdirat', 'rmdir', 'mknod', 'mknodat'],
    ...['link', 'linkat', 'symlink', 'symlinkat', 'readlink', 'readlinkat', 'unlink', 'unlinkat'],
    ...['rename', 'renameat', 'renameat2', 'truncate', 'truncate64', 'ftruncate', 'ftruncate64', 'fallocate'],
    ...['chmod', 'fchmod', 'fchmodat', 'chown', 'chown32', 'fchown', 'fchown32', 'fchownat', 'lchown', 'lchown32'],
    ...['utime', 'utimes', 'utimensat', 'utimensat_time64', 'futimesat'],
    ...['fadvise64', 'fadvise64_64', 'fsync', 'fdatasync', 'sync', 'syncfs', 'sync_file_range'],
  ]),
  allow('extended attributes', [
    ...['getxattr', 'lgetxattr', 'fgetxattr', 'listxattr', 'llistxattr', 'flistxattr'],
    ...['setxattr', 'lsetxattr', 'fsetxattr', 'removexattr', 'lremovexattr', 'fremovexattr'],
  ]),
  allow('file change notification (fanotify_mark is useless without fanotify_init, which is not allowed)', [
    ...['inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch', 'fanotify_mark'],
  ]),
  allow('waiting on descriptors, and descriptors for events, signals and timers', [
    ...['select', '_newselect', 'pselect6', 'pselect6_time64', 'poll', 'ppoll', 'ppoll_time64'],
    ...['epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_ctl_old', 'epoll_wait', 'epoll_wait_old'],
    ...['epoll_pwait', 'epoll_pwait2', 'eventfd', 'eventfd2', 'signalfd', 'signalfd4'],
    ...['timerfd_create', 'timerfd_gettime', 'timerfd_gettime64', 'timerfd_settime', 'timerfd_settime64'],
  ]),
  allow('POSIX asynchronous I/O (io_uring is left out: see above)', [
    ...['io_setup', 'io_destroy', 'io_submit', 'io_cancel', 'io_getevents', 'io_pgetevents', 'io_pgetevents_time64'],
  ]),
  allow('device control on the descriptors the container has (it has no devices of the host)', ['ioctl']),
  allow('memory: mapping files that are not on a noexec mount executable is the kernel’s to allow', [
    ...['brk', 'mmap', 'mmap2', 'munmap', 'mremap', 'mprotect', 'madvise', 'mincore', 'msync', 'remap_file_pages'],
    ...['mlock', 'mlock2', 'mlockall', 'munlock', 'munlockall', 'membarrier'],
    ...['pkey_alloc', 'pkey_free', 'pkey_mprotect'],
  ]),
  allow('processes and threads (clone, clone3 and personality have rules of their own below)', [
    ...['fork', 'vfork', 'execve', 'execveat', 'exit', 'exit_group', 'wait4', 'waitid', 'waitpid'],
    ...['getpid', 'getppid', 'gettid', 'getpgid', 'getpgrp', 'setpgid', 'getsid', 'setsid'],
    ...['set_tid_address', 'set_robust_list', 'get_robust_list', 'rseq', 'restart_syscall'],
    ...['futex', 'futex_time64', 'futex_waitv', 'prctl', 'arch_prctl', 'get_thread_area', 'set_thread_area'],
    ...['pidfd_open', 'pidfd_send_signal', 'process_mrelease', 'capget', 'capset', 'seccomp'],
    ...['landlock_create_ruleset', 'landlock_add_rule', 'landlock_restrict_self'],
    ...['getpriority', 'setpriority', 'ioprio_get', 'ioprio_set', 'getcpu', 'sched_yield'],
    ...['sched_getaffinity', 'sched_setaffinity', 'sched_getattr', 'sched_setattr', 'sched_getparam'],
    ...['sched_setparam', 'sched_getscheduler', 'sched_setscheduler', 'sched_get_priority_max'],
    ...['sched_get_priority_min', 'sched_rr_get_interval', 'sched_rr_get_interval_time64'],
  ]),
  allow('x86 local descriptor tables, as Docker allows them on x86', ['modify_ldt']),
  allow('signals and interval timers', [
    ...['kill', 'tkill', 'tgkill', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigpending'],
    ...['rt_sigsuspend', 'rt_sigtimedwait', 'rt_sigtimedwait_time64', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo'],
    ...['sigaltstack', 'sigprocmask', 'sigreturn', 'pause', 'alarm', 'getitimer', 'setitimer'],
    ...['timer_create', 'timer_delete', 'timer_getoverrun', 'timer_gettime', 'timer_gettime64'],
    ...['timer_settime', 'timer_settime64'],
  ]),
  allow('clocks and sleeping (setting a clock needs CAP_SYS_TIME, which no sandbox has)', [
    ...['time', 'times', 'gettimeofday', 'clock_gettime', 'clock_gettime64', 'clock_getres', 'clock_getres_time64'],
    ...['clock_nanosleep', 'clock_nanosleep_time64', 'nanosleep', 'adjtimex', 'clock_adjtime', 'clock_adjtime64'],
  ]),
  allow('identity, limits and system information (changing ids needs capabilities no sandbox has)', [
    ...['getuid', 'getuid32', 'geteuid', 'geteuid32', 'getgid', 'getgid32', 'getegid', 'getegid32'],
    ...['getresuid', 'getresuid32', 'getresgid', 'getresgid32', 'getgroups', 'getgroups32'],
    ...['setuid', 'setuid32', 'setgid', 'setgid32', 'setreuid', 'setreuid32', 'setregid', 'setregid32'],
    ...['setresuid', 'setresuid32', 'setresgid', 'setresgid32', 'setfsuid', 'setfsuid32', 'setfsgid'],
    ...['setfsgid32', 'setgroups', 'setgroups32'],
    ...['getrlimit', 'ugetrlimit', 'setrlimit', 'prlimit64', 'getrusage', 'sysinfo', 'uname', 'getrandom'],
  ]),
  allow('sockets (only loopback exists in a container without network; socket has a rule of its own below)', [
    ...['socketpair', 'socketcall', 'bind', 'listen', 'accept', 'accept4', 'connect', 'shutdown'],
    ...['getsockname', 'getpeername', 'getsockopt', 'setsockopt'],
    ...['send', 'sendto', 'sendmsg', 'sendmmsg', 'recv', 'recvfrom', 'recvmsg', 'recvmmsg', 'recvmmsg_time64'],
  ]),
  allow('System V and POSIX message queues, semaphores and shared memory (shmat has a rule of its own below)', [
    ...['ipc', 'msgget', 'msgsnd', 'msgrcv', 'msgctl', 'semget', 'semop', 'semtimedop', 'semtimedop_time64'],
    ...['semctl', 'shmget', 'shmdt', 'shmctl', 'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedsend_time64'],
    ...['mq_timedreceive', 'mq_timedreceive_time64', 'mq_notify', 'mq_getsetattr'],
  ]),
];

/** Calls allowed only with some arguments. */
const CONDITIONAL: SeccompRule[] = [
  {
    names: ['clone'],
    action: 'SCMP_ACT_ALLOW',
    args: [{ index: 0, value: CLONE_NEW_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
    comment: 'new processes and threads, but never in new namespaces',
  },
  {
    names: ['clone3'],
    action: 'SCMP_ACT_ERRNO',
    errnoRet: ENOSYS,
    comment:
      'its flags sit in memory, where seccomp cannot look; ENOSYS makes the C library fall back to clone, whose flags it checks',
  },
  ...HARMLESS_PERSONALITIES.map<SeccompRule>((value) => ({
    names: ['personality'],
    action: 'SCMP_ACT_ALLOW',
    args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }],
    comment: 'only personalities that change no memory layout or exec behaviour (no READ_IMPLIES_EXEC)',
  })),
  {
    names: ['socket'],
    action: 'SCMP_ACT_ALLOW',
    args: [{ index: 0, value: AF_VSOCK, op: 'SCMP_CMP_NE' }],
    comment: 'any socket family but AF_VSOCK, which would reach the host under some hypervisors',
  },
  {
    names: ['shmat'],
    action: 'SCMP_ACT_ALLOW',
    args: [{ index: 2, value: SHM_EXEC, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
    comment: 'attaching System V shared memory, never executable (SHM_EXEC)',
  },
];

/** The profile as Docker reads it; `defaultErrnoRet` makes every call not listed fail with EPERM. */
export const SANDBOX_SECCOMP_PROFILE: Readonly<SeccompProfile> = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: EPERM,
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: [] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: [] },
  ],
  syscalls: [...ALLOWED, ...CONDITIONAL],
};

/** The HostConfig.SecurityOpt entry that applies the profile. */
export const SANDBOX_SECCOMP_OPTION = `seccomp=${JSON.stringify(SANDBOX_SECCOMP_PROFILE)}`;
