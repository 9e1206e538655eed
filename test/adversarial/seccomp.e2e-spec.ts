import { run } from '../support/api-client';
import { hostile, REPORT, reportOf } from './hostile';

/**
 * What the project's seccomp profile (libs/sandbox/src/seccomp-profile.ts) and the
 * noexec mounts refuse, tried from inside a job, after what they must still allow.
 * On Docker's default profile the dropped-binary case fails through memfd_create,
 * and the system-call case through ptrace, io_uring and SHM_EXEC, which it allows.
 */
describe('adversarial: seccomp and dropped binaries', () => {
  hostile(
    'still lets Python use threads, process pools, subprocesses, shared memory, asyncio and ctypes callbacks',
    async () => {
      const result = await run(
        `${REPORT}
import asyncio, concurrent.futures, ctypes, multiprocessing, subprocess, threading
from multiprocessing import shared_memory
def square(n):
    return n * n
outcome = {}
box = []
thread = threading.Thread(target=lambda: box.append("thread"))
thread.start()
thread.join()
outcome["thread"] = box
with multiprocessing.Pool(2) as pool:
    outcome["pool"] = pool.map(square, [1, 2, 3])
with concurrent.futures.ProcessPoolExecutor(2) as executor:
    outcome["executor"] = list(executor.map(square, [4, 5]))
memory = shared_memory.SharedMemory(create=True, size=16)
memory.buf[0] = 7
outcome["shared memory"] = bytes(memory.buf[:1])[0]
memory.close()
memory.unlink()
outcome["subprocess"] = subprocess.run(["sh", "-c", "echo sub"], capture_output=True, text=True).stdout
async def main():
    process = await asyncio.create_subprocess_exec("true")
    return await process.wait()
outcome["asyncio"] = asyncio.run(main())
outcome["ctypes callback"] = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda n: n + 1)(41)
report(outcome)`,
        { limits: { timeoutMs: 30_000 } },
      );
      expect(result.status).toBe('succeeded');
      expect(reportOf(result)).toEqual({
        thread: ['thread'],
        pool: [1, 4, 9],
        executor: [16, 25],
        'shared memory': 7,
        subprocess: 'sub\n',
        asyncio: 0,
        'ctypes callback': 42,
      });
    },
  );

  hostile(
    'a dropped binary does not run: from /tmp, /sandbox or /dev/shm, through ld.so, as a library, or from a memfd',
    async () => {
      const result = await run(`${REPORT}
import ctypes, errno, glob, shutil, subprocess
outcome = {}
def attempt(name, call):
    try:
        call()
        outcome[name] = "ran"
    except subprocess.CalledProcessError as e:
        outcome[name] = "exit %d" % e.returncode
    except OSError as e:
        outcome[name] = errno.errorcode.get(e.errno) or str(e).split(":")[-1].strip()
for directory in ["/tmp", "/sandbox", "/dev/shm"]:
    for program in ["/bin/sh", os.path.realpath(sys.executable)]:
        target = directory + "/dropped-" + os.path.basename(program)
        shutil.copy(program, target)
        os.chmod(target, 0o755)
        attempt("exec " + target, lambda: subprocess.run([target, "-c", "exit 0"], check=True))
loader = sorted(glob.glob("/lib*/ld-linux*.so*") + glob.glob("/lib/*/ld-linux*.so*"))[0]
attempt("ld.so /tmp/dropped-sh", lambda: subprocess.run([loader, "/tmp/dropped-sh", "-c", "exit 0"], check=True, stderr=subprocess.DEVNULL))
library = sorted(glob.glob("/lib/*/libm.so.6") + glob.glob("/usr/lib/*/libm.so.6"))[0]
shutil.copy(library, "/tmp/libdropped.so")
attempt("dlopen /tmp/libdropped.so", lambda: ctypes.CDLL("/tmp/libdropped.so"))
def from_memfd():
    fd = os.memfd_create("dropped", 0)
    with open("/bin/sh", "rb") as source:
        os.write(fd, source.read())
    subprocess.run(["/proc/self/fd/%d" % fd, "-c", "exit 0"], check=True, pass_fds=[fd])
attempt("memfd_create + execve /proc/self/fd/N", from_memfd)
report(outcome)`);
      expect(result.status).toBe('succeeded');
      const outcome = reportOf(result);
      // noexec: execve answers EACCES, for sh and for python alike, in each of the three writable mounts.
      const execs = Object.entries(outcome).filter(([attempt]) => attempt.startsWith('exec '));
      expect(execs).toHaveLength(6);
      for (const [attempt, how] of execs) expect([attempt, how]).toEqual([attempt, 'EACCES']);
      // ld.so and dlopen cannot map a file of a noexec mount executable.
      expect(outcome['ld.so /tmp/dropped-sh']).toBe('exit 127');
      expect(outcome['dlopen /tmp/libdropped.so']).toMatch(/failed to map segment from shared object/);
      expect(outcome['memfd_create + execve /proc/self/fd/N']).toBe('EPERM');
    },
  );

  hostile(
    'ptrace and process_vm_readv of another process, io_uring, SHM_EXEC, keyctl, userfaultfd, new namespaces, mount, bpf and perf_event_open are refused',
    async () => {
      const result = await run(`${REPORT}
import ctypes, errno, platform, time
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
numbers = {
    "x86_64": {"process_vm_readv": 310, "io_uring_setup": 425, "shmget": 29, "shmat": 30, "keyctl": 250,
               "userfaultfd": 323, "clone": 56, "bpf": 321, "perf_event_open": 298},
    "aarch64": {"process_vm_readv": 270, "io_uring_setup": 425, "shmget": 194, "shmat": 196, "keyctl": 219,
                "userfaultfd": 282, "clone": 220, "bpf": 280, "perf_event_open": 241},
}[platform.machine()]
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, SIGCHLD = 0x20000, 0x10000000, 0x20000000, 0x40000000, 17
SHM_EXEC, IPC_CREAT, IPC_RMID = 0o100000, 0o1000, 0
outcome = {}
def attempt(name, call):
    ctypes.set_errno(0)
    rc = call()
    if rc == 0 and name.startswith("clone"):
        os._exit(0)  # a child that should never have been made
    outcome[name] = "allowed" if rc not in (-1, ctypes.c_void_p(-1).value) else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
# Another process of the same job: its child, asleep.
child = os.fork()
if child == 0:
    time.sleep(30)
    os._exit(0)
attempt("ptrace attach", lambda: libc.ptrace(16, child, None, None))
buffer = ctypes.create_string_buffer(64)
iovec = (ctypes.c_void_p * 2)(ctypes.cast(buffer, ctypes.c_void_p), 64)
attempt("process_vm_readv", lambda: libc.syscall(numbers["process_vm_readv"], child, iovec, 1, iovec, 1, 0))
os.kill(child, 9)
os.waitpid(child, 0)
params = ctypes.create_string_buffer(120)
attempt("io_uring_setup", lambda: libc.syscall(numbers["io_uring_setup"], 8, params))
# Mode 0700: the kernel lets SHM_EXEC through only for a segment its owner may execute.
segment = libc.syscall(numbers["shmget"], 0, 4096, IPC_CREAT | 0o700)
libc.shmat.restype = ctypes.c_void_p
attempt("shmat SHM_EXEC", lambda: libc.shmat(segment, None, SHM_EXEC))
attempt("shmat", lambda: libc.shmat(segment, None, 0))
libc.shmctl(segment, IPC_RMID, None)
attempt("keyctl", lambda: libc.syscall(numbers["keyctl"], 0, -3, 0))
attempt("userfaultfd", lambda: libc.syscall(numbers["userfaultfd"], 0))
attempt("unshare user", lambda: libc.unshare(CLONE_NEWUSER))
attempt("unshare mount+pid+net", lambda: libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET))
attempt("clone new user namespace", lambda: libc.syscall(numbers["clone"], CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0))
attempt("clone new pid namespace", lambda: libc.syscall(numbers["clone"], CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0))
attempt("mount", lambda: libc.mount(b"none", b"/tmp", b"tmpfs", 0, None))
attempt("bpf", lambda: libc.syscall(numbers["bpf"], 5, None, 0))
attr = ctypes.create_string_buffer(128)
ctypes.memmove(attr, (1).to_bytes(4, "little") + (128).to_bytes(4, "little"), 8)  # PERF_TYPE_SOFTWARE, its size
attempt("perf_event_open", lambda: libc.syscall(numbers["perf_event_open"], attr, 0, -1, -1, 0))
report(outcome)`);
      expect(result.status).toBe('succeeded');
      const outcome = reportOf(result);
      // Attaching plain shared memory still works: the rule is about SHM_EXEC, not System V memory.
      expect(outcome).toEqual({
        'ptrace attach': 'EPERM',
        process_vm_readv: 'EPERM',
        io_uring_setup: 'EPERM',
        'shmat SHM_EXEC': 'EPERM',
        shmat: 'allowed',
        keyctl: 'EPERM',
        userfaultfd: 'EPERM',
        'unshare user': 'EPERM',
        'unshare mount+pid+net': 'EPERM',
        'clone new user namespace': 'EPERM',
        'clone new pid namespace': 'EPERM',
        mount: 'EPERM',
        bpf: 'EPERM',
        perf_event_open: 'EPERM',
      });
    },
  );
});
