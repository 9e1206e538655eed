import { run } from '../support/api-client';
import { hostile, REPORT, reportOf } from './hostile';

describe('adversarial: filesystem', () => {
  hostile('writes outside the working directory are refused everywhere but /tmp', async () => {
    const result = await run(`${REPORT}
import errno
targets = ["/x", "/etc/passwd", "/etc/cron.d/x", "/usr/lib/python3/dist-packages/x.py", "/opt/sandbox/runner.py",
           "/root/x", "/var/run/x", "/home/x", "/proc/1/environ", "/sys/kernel/x", "../outside", "/sandbox/../escape"]
outcome = {}
for path in targets:
    try:
        with open(path, "w") as f:
            f.write("x")
        outcome[path] = "written"
    except OSError as e:
        outcome[path] = errno.errorcode[e.errno]
with open("/tmp/scratch", "w") as f:
    f.write("fine")
outcome["/tmp/scratch"] = "written"
report(outcome)`);
    expect(result.status).toBe('succeeded');
    const outcome = reportOf(result);
    for (const [path, code] of Object.entries(outcome)) {
      if (path === '/tmp/scratch') expect(code).toBe('written');
      else expect([path, code]).toEqual([path, expect.stringMatching(/^(EROFS|EACCES|ENOENT|EPERM)$/)]);
    }
    expect(result.files).toEqual([]);
  });

  hostile('/etc/shadow cannot be read', async () => {
    const result = await run('open("/etc/shadow").read()');
    expect(result.status).toBe('failed');
    expect(result.stderr).toContain("PermissionError: [Errno 13] Permission denied: '/etc/shadow'");
  });

  hostile('setuid and setgid to root are refused, and there is nothing setuid to run', async () => {
    const result = await run(`${REPORT}
import errno, stat
outcome = {}
for name, call in [("setuid", lambda: os.setuid(0)), ("setgid", lambda: os.setgid(0)), ("seteuid", lambda: os.seteuid(0)),
                   ("setresuid", lambda: os.setresuid(0, 0, 0)), ("setgroups", lambda: os.setgroups([0]))]:
    try:
        call()
        outcome[name] = "allowed"
    except OSError as e:
        outcome[name] = errno.errorcode[e.errno]
open("mine", "w").close()
os.chmod("mine", 0o4755)
outcome["setuid bit kept"] = bool(os.stat("mine").st_mode & stat.S_ISUID)
setuid_files = []
for root, dirs, files in os.walk("/"):
    if root.startswith(("/proc", "/sys", "/sandbox")):
        dirs[:] = []
        continue
    for name in files:
        try:
            if os.lstat(os.path.join(root, name)).st_mode & (stat.S_ISUID | stat.S_ISGID):
                setuid_files.append(os.path.join(root, name))
        except OSError:
            pass
outcome["setuid files"] = setuid_files
outcome["ids"] = [os.getuid(), os.geteuid(), os.getgid(), os.getegid()]
report(outcome)`);
    expect(result.status).toBe('succeeded');
    expect(reportOf(result)).toEqual({
      setuid: 'EPERM',
      setgid: 'EPERM',
      seteuid: 'EPERM',
      setresuid: 'EPERM',
      setgroups: 'EPERM',
      // A bit on the tmpfs does nothing: it is mounted nosuid and no-new-privileges is set.
      'setuid bit kept': true,
      'setuid files': [],
      ids: Array(4).fill(expect.any(Number)),
    });
    const [uid, ...others] = reportOf(result).ids as number[];
    expect(others).toEqual([uid, uid, uid]);
    expect(uid).toBeGreaterThanOrEqual(20_000);
  });

  hostile('kernel interfaces under /proc/sys and /proc/sysrq-trigger are not writable', async () => {
    const result = await run(`${REPORT}
import errno
outcome = {}
for path, value in [("/proc/sysrq-trigger", "b"), ("/proc/sys/kernel/hostname", "pwned"), ("/proc/sys/vm/drop_caches", "3"),
                    ("/proc/sys/kernel/core_pattern", "|/tmp/x"), ("/proc/sys/kernel/panic", "1"), ("/sys/fs/cgroup/cgroup.procs", "1")]:
    try:
        with open(path, "w") as f:
            f.write(value)
        outcome[path] = "written"
    except OSError as e:
        outcome[path] = errno.errorcode[e.errno]
report(outcome)`);
    expect(result.status).toBe('succeeded');
    for (const [path, code] of Object.entries(reportOf(result))) {
      expect([path, code]).toEqual([path, expect.stringMatching(/^(EROFS|EACCES|EPERM|ENOENT)$/)]);
    }
  });

  // ptrace, keyctl, userfaultfd and perf_event_open, which the project's seccomp profile refuses
  // beyond Docker's default, are in test/adversarial/seccomp.e2e-spec.ts.
  hostile('unshare, mount, chroot, setns, bpf, keyctl and init_module through ctypes are refused', async () => {
    const result = await run(`${REPORT}
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x10000000, 0x20000000, 0x40000000
outcome = {}
def attempt(name, call):
    ctypes.set_errno(0)
    rc = call()
    outcome[name] = "allowed" if rc == 0 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
attempt("unshare user", lambda: libc.unshare(CLONE_NEWUSER))
attempt("unshare mount", lambda: libc.unshare(CLONE_NEWNS))
attempt("unshare user+mount+pid+net", lambda: libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET))
attempt("mount tmpfs", lambda: libc.mount(b"none", b"/tmp", b"tmpfs", 0, None))
attempt("remount / rw", lambda: libc.mount(None, b"/", None, 32 | 0x20, None))
attempt("chroot", lambda: libc.chroot(b"/tmp"))
attempt("setns", lambda: libc.setns(os.open("/proc/1/ns/net", os.O_RDONLY), 0))
import platform
numbers = {"x86_64": (321, 250, 175), "aarch64": (280, 219, 105)}[platform.machine()]
attempt("bpf", lambda: libc.syscall(numbers[0], 0, None, 0))
attempt("keyctl", lambda: libc.syscall(numbers[1], 0, None, None, None))
attempt("init_module", lambda: libc.syscall(numbers[2], None, 0, b""))
report(outcome)`);
    expect(result.status).toBe('succeeded');
    for (const [call, code] of Object.entries(reportOf(result))) {
      expect([call, code]).toEqual([call, expect.stringMatching(/^(EPERM|EACCES|EINVAL|ENOSYS)$/)]);
    }
  });
});
