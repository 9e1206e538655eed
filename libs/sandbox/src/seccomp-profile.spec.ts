import { SANDBOX_SECCOMP_OPTION, SANDBOX_SECCOMP_PROFILE, SeccompRule } from './seccomp-profile';

const { syscalls } = SANDBOX_SECCOMP_PROFILE;
const rulesFor = (name: string): SeccompRule[] => syscalls.filter((rule) => rule.names.includes(name));
const allowedOutright = new Set(
  syscalls.filter((rule) => rule.action === 'SCMP_ACT_ALLOW' && !rule.args).flatMap((rule) => rule.names),
);

describe('the sandbox seccomp profile', () => {
  it('is pinned: any change to what sandboxes may call shows up in review', () => {
    expect(SANDBOX_SECCOMP_PROFILE).toMatchSnapshot();
  });

  it('is an allowlist: every call it does not name fails with EPERM', () => {
    expect(SANDBOX_SECCOMP_PROFILE.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(SANDBOX_SECCOMP_PROFILE.defaultErrnoRet).toBe(1);
  });

  it('names no 32-bit entry points, only native 64-bit architectures', () => {
    expect(SANDBOX_SECCOMP_PROFILE.archMap.map((arch) => arch.architecture).sort()).toEqual([
      'SCMP_ARCH_AARCH64',
      'SCMP_ARCH_X86_64',
    ]);
    for (const arch of SANDBOX_SECCOMP_PROFILE.archMap) expect(arch.subArchitectures).toEqual([]);
  });

  it.each([
    ['memfd_create', 'a file in memory that could be executed'],
    ['memfd_secret', 'a file in memory'],
    ['ptrace', 'another process'],
    ['process_vm_readv', 'another process'],
    ['process_vm_writev', 'another process'],
    ['io_uring_setup', 'calls seccomp never sees'],
    ['io_uring_enter', 'calls seccomp never sees'],
    ['io_uring_register', 'calls seccomp never sees'],
    ['keyctl', 'the kernel keyring'],
    ['add_key', 'the kernel keyring'],
    ['request_key', 'the kernel keyring'],
    ['userfaultfd', 'a kernel exploitation aid'],
    ['bpf', 'a capability'],
    ['perf_event_open', 'a capability'],
    ['unshare', 'a capability'],
    ['setns', 'a capability'],
    ['mount', 'a capability'],
    ['umount2', 'a capability'],
    ['pivot_root', 'a capability'],
    ['chroot', 'a capability'],
    ['open_by_handle_at', 'a capability'],
    ['kcmp', 'a capability'],
    ['pidfd_getfd', 'a capability'],
    ['init_module', 'a capability'],
    ['finit_module', 'a capability'],
    ['kexec_load', 'a capability'],
    ['fsopen', 'a capability'],
    ['open_tree', 'a capability'],
    ['fanotify_init', 'a capability'],
    ['quotactl', 'a capability'],
    ['reboot', 'a capability'],
    ['swapon', 'a capability'],
    ['syslog', 'a capability'],
    ['acct', 'a capability'],
    ['clock_settime', 'a capability'],
  ])('does not allow %s (%s)', (name) => {
    expect(rulesFor(name)).toEqual([]);
  });

  it('lets clone make processes and threads but never new namespaces', () => {
    expect(rulesFor('clone')).toEqual([
      expect.objectContaining({
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      }),
    ]);
  });

  it('answers clone3 with ENOSYS, so the C library falls back to clone instead of failing', () => {
    expect(rulesFor('clone3')).toEqual([expect.objectContaining({ action: 'SCMP_ACT_ERRNO', errnoRet: 38 })]);
  });

  it('attaches System V shared memory only without SHM_EXEC', () => {
    expect(rulesFor('shmat')).toEqual([
      expect.objectContaining({ args: [{ index: 2, value: 0o100000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] }),
    ]);
  });

  it('allows only personalities that do not make memory executable', () => {
    const values = rulesFor('personality').map((rule) => rule.args?.[0].value);
    expect(values).toEqual([0, 8, 0x20000, 0x20008, 0xffffffff]);
    const READ_IMPLIES_EXEC = 0x0400000;
    for (const value of values.slice(0, -1)) expect(value! & READ_IMPLIES_EXEC).toBe(0);
  });

  it('allows what Python, its subprocesses and threads need', () => {
    for (const name of ['execve', 'fork', 'vfork', 'wait4', 'mmap', 'mprotect', 'futex', 'rseq', 'pipe2', 'getrandom'])
      expect(allowedOutright).toContain(name);
  });

  it('names each call in one rule only, except those whose rules differ by argument', () => {
    const counts = new Map<string, number>();
    for (const rule of syscalls) for (const name of rule.names) counts.set(name, (counts.get(name) ?? 0) + 1);
    const repeated = [...counts].filter(([, count]) => count > 1).map(([name]) => name);
    expect(repeated).toEqual(['personality']);
    for (const rule of syscalls) expect(rule.comment.length).toBeGreaterThan(0);
  });

  it('goes to Docker whole, as the JSON of the profile', () => {
    expect(SANDBOX_SECCOMP_OPTION.startsWith('seccomp={')).toBe(true);
    expect(JSON.parse(SANDBOX_SECCOMP_OPTION.slice('seccomp='.length))).toEqual(SANDBOX_SECCOMP_PROFILE);
  });
});
