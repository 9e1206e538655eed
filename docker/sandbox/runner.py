"""In-container runner for SimplePySandbox.

Started as the container's main process (under the init shim), it signals that
it is ready, reads exactly one framed payload from stdin, writes the code as
main.py in the working directory beside the input files (so tracebacks, inspect
and __file__ work as with `python3 main.py`), runs it in a forked child, relays the child's output as frames on stdout, and finally
sends back the files the program created or changed plus an exit record.

Wire format, container stdin:  u32 big-endian length + UTF-8 JSON payload.
Wire format, container stdout: 1 byte type + u32 big-endian length + body.
  R ready   A payload accepted   O stdout chunk   E stderr chunk
  F file (u16 name length + name bytes + content)   X exit record (JSON)

Everything here runs as the same unprivileged uid as the user's code, so the
worker trusts nothing it says: this file exists for convenience and speed,
not as a security boundary.
"""
import atexit
import base64
import json
import os
import resource
import select
import selectors
import signal
import struct
import sys
import time
import types

WORKDIR = "/sandbox"
MAIN_FILE = WORKDIR + "/main.py"
CHUNK = 65536
MAX_SCAN_ENTRIES = 20000
MAX_DEPTH = 32


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def send(kind, body=b""):
    write_all(1, kind + struct.pack(">I", len(body)) + body)


def read_exact(fd, size):
    parts, remaining = [], size
    while remaining:
        part = os.read(fd, min(remaining, 1 << 20))
        if not part:
            raise EOFError("payload ended early")
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def read_payload():
    (size,) = struct.unpack(">I", read_exact(0, 4))
    return json.loads(read_exact(0, size))


def safe_segments(path):
    # The API validated this already; a second check costs nothing.
    if not isinstance(path, str) or not path or "\0" in path or path.startswith("/"):
        raise ValueError("bad input path")
    segments = path.split("/")
    if any(s in ("", ".", "..") for s in segments):
        raise ValueError("bad input path")
    return segments


def write_input_files(code, files):
    """Writes the code as main.py and the input files; returns what was written, by name."""
    inputs = {}
    entries = [{"path": "main.py", "data": code}] + files
    for entry in entries:
        segments = safe_segments(entry["path"])
        data = entry["data"] if isinstance(entry["data"], bytes) else base64.b64decode(entry["data"], validate=True)
        current = WORKDIR
        for segment in segments[:-1]:
            current = os.path.join(current, segment)
            try:
                os.mkdir(current, 0o700)
            except FileExistsError:
                pass
        target = os.path.join(current, segments[-1])
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            write_all(fd, data)
        finally:
            os.close(fd)
        inputs[os.fsencode(entry["path"])] = data
    return inputs


def run_user_code(payload, pipes):
    """Runs in the forked child: becomes the user's `python main.py`."""
    stdin_r, stdout_w, stderr_w = pipes
    os.dup2(stdin_r, 0)
    os.dup2(stdout_w, 1)
    os.dup2(stderr_w, 2)
    os.closerange(3, 1 << 16)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        # Make this process, not the runner, the first choice of the OOM killer.
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")
    except OSError:
        pass
    os.chdir(WORKDIR)
    sys.dont_write_bytecode = True
    sys.path.insert(0, WORKDIR)
    sys.argv = [MAIN_FILE] + list(payload.get("args", []))
    status = execute_main(payload["code"].encode("utf-8"))
    os._exit(status)


def execute_main(source):
    main = types.ModuleType("__main__")
    main.__file__ = MAIN_FILE
    main.__builtins__ = __builtins__
    sys.modules["__main__"] = main
    status = 0
    try:
        exec(compile(source, MAIN_FILE, "exec", dont_inherit=True), main.__dict__)
    except SystemExit as exc:
        status = exit_status(exc.code)
    except BaseException as exc:  # the interpreter's own top level does the same
        # Drop the runner's own frame so the traceback starts in the user's code.
        exc.__traceback__ = exc.__traceback__.tb_next or exc.__traceback__
        if sys.excepthook is sys.__excepthook__:
            # The pure-Python printer shows the offending lines with their
            # markers, as `python3 main.py` does.
            import traceback

            traceback.print_exception(exc)
        else:
            sys.excepthook(type(exc), exc, exc.__traceback__)
        status = 1
    return finish_interpreter(status)


def exit_status(code):
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def finish_interpreter(status):
    # What the interpreter does at exit: join threads, run atexit, flush stdio.
    if "threading" in sys.modules:
        try:
            sys.modules["threading"]._shutdown()
        except BaseException:
            pass
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            status = status or 120
    return status


class Relay:
    """Copies the child's stdin/stdout/stderr through frames, under the limits."""

    def __init__(self, payload, child, pipes):
        self.stdin_data = base64.b64decode(payload.get("stdin") or "", validate=True)
        self.limit = int(payload["outputBytes"])
        self.deadline = time.monotonic() + int(payload["timeoutMs"]) / 1000
        self.counts = {b"O": 0, b"E": 0}
        self.truncated = {b"O": False, b"E": False}
        self.output_limit = False
        self.timed_out = False
        self.selector = selectors.DefaultSelector()
        stdin_w, stdout_r, stderr_r = pipes
        self.child = child
        self.child_fd = os.pidfd_open(child)
        self.selector.register(self.child_fd, selectors.EVENT_READ, "exit")
        self.selector.register(stdout_r, selectors.EVENT_READ, b"O")
        self.selector.register(stderr_r, selectors.EVENT_READ, b"E")
        self.open_streams = 2
        if self.stdin_data:
            os.set_blocking(stdin_w, False)
            self.selector.register(stdin_w, selectors.EVENT_WRITE, "stdin")
        else:
            os.close(stdin_w)

    def run(self):
        child_done = False
        while self.open_streams or not child_done:
            timeout = self.deadline - time.monotonic()
            if timeout <= 0:
                self.timed_out = True
                kill_everything()
                break
            for key, _ in self.selector.select(timeout):
                if key.data == "exit":
                    child_done = True
                    self.selector.unregister(key.fd)
                    # Background processes do not outlive the main program.
                    kill_everything()
                elif key.data == "stdin":
                    self.feed_stdin(key.fd)
                else:
                    self.forward(key.fd, key.data)
            if self.output_limit:
                kill_everything()
                break

    def feed_stdin(self, fd):
        try:
            written = os.write(fd, self.stdin_data[:CHUNK])
        except BrokenPipeError:
            written = len(self.stdin_data)
        self.stdin_data = self.stdin_data[written:]
        if not self.stdin_data:
            self.selector.unregister(fd)
            os.close(fd)

    def forward(self, fd, kind):
        chunk = os.read(fd, CHUNK)
        if not chunk:
            self.selector.unregister(fd)
            os.close(fd)
            self.open_streams -= 1
            return
        room = self.limit - self.counts[kind]
        if len(chunk) > room:
            chunk = chunk[:max(room, 0)]
            self.truncated[kind] = True
            self.output_limit = True
        self.counts[kind] += len(chunk)
        if chunk:
            send(kind, chunk)


def kill_everything():
    # Same uid as the user's processes: kill(-1) reaches all of them but not
    # this runner, and PID 1 (the init shim) is exempt by the kernel.
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass


def wait_child(child):
    _, status = os.waitpid(child, 0)
    if os.WIFSIGNALED(status):
        return None, signal.Signals(os.WTERMSIG(status)).name
    return os.WEXITSTATUS(status), None


def read_cgroup_number(*paths):
    for path in paths:
        try:
            with open(path) as f:
                return int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return None


def oom_kills():
    for path in ("/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control"):
        try:
            with open(path) as f:
                for line in f:
                    name, _, value = line.partition(" ")
                    if name == "oom_kill":
                        return int(value)
        except OSError:
            continue
    return 0


def collect_files(inputs, limits):
    """Sends regular files that are new or changed; never follows a link."""
    max_files, max_file, max_total = limits
    sent, total, scanned, truncated = 0, 0, 0, False
    stack = [(WORKDIR.encode(), b"", 0)]
    while stack:
        directory, prefix, depth = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            scanned += 1
            if scanned > MAX_SCAN_ENTRIES:
                return True
            name = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if depth + 1 < MAX_DEPTH:
                    stack.append((entry.path, name + b"/", depth + 1))
                else:
                    truncated = True
                continue
            if not entry.is_file(follow_symlinks=False):
                continue
            data = read_regular_file(entry.path, max_file)
            if data is None:
                truncated = True
                continue
            if inputs.get(name) == data:
                continue
            if sent >= max_files or total + len(data) > max_total:
                truncated = True
                continue
            send(b"F", struct.pack(">H", len(name)) + name + data)
            sent += 1
            total += len(data)
    return truncated


def read_regular_file(path, max_size):
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not (info.st_mode & 0o170000 == 0o100000) or info.st_size > max_size:
            return None
        data = os.read(fd, max_size + 1)
        return data if len(data) <= max_size else None
    finally:
        os.close(fd)


def preload_while_idle():
    """A pre-started container waits for its job: spend that wait on first-use
    costs the job would otherwise pay. A cold start has its payload waiting
    already and skips this."""
    import traceback  # noqa: F401  (with linecache, tokenize and re: what a traceback needs)

    compile("import sys\nprint(sys.argv)\n", MAIN_FILE, "exec", dont_inherit=True)


def main():
    # The interpreter starts with -S; site-packages are set up here, once, before
    # the ready signal, so a pre-started container has paid for it already and
    # the forked program sees the same sys.path as `python3 main.py` would.
    import site

    site.main()
    send(b"R")
    if not select.select([0], [], [], 0)[0]:
        preload_while_idle()
    try:
        payload = read_payload()
        # Tells the worker this container was alive and took the job, so a
        # container that died before this is the service's fault, not the user's.
        send(b"A")
        inputs = write_input_files(payload["code"].encode("utf-8"), payload.get("files", []))
    except Exception as exc:  # a broken payload is the worker's bug, not the user's
        send(b"X", json.dumps({"error": "runner could not read its payload: %s" % type(exc).__name__}).encode())
        return
    stdin_r, stdin_w = os.pipe()
    stdout_r, stdout_w = os.pipe()
    stderr_r, stderr_w = os.pipe()
    started = time.monotonic()
    child = os.fork()
    if child == 0:
        try:
            run_user_code(payload, (stdin_r, stdout_w, stderr_w))
        finally:
            os._exit(70)
    for fd in (stdin_r, stdout_w, stderr_w):
        os.close(fd)
    relay = Relay(payload, child, (stdin_w, stdout_r, stderr_r))
    relay.run()
    exit_code, signal_name = wait_child(child)
    wall_ms = int((time.monotonic() - started) * 1000)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    kill_everything()
    truncated = collect_files(
        inputs, (int(payload["maxFiles"]), int(payload["maxFileBytes"]), int(payload["maxTotalFileBytes"]))
    )
    peak = read_cgroup_number("/sys/fs/cgroup/memory.peak", "/sys/fs/cgroup/memory/memory.max_usage_in_bytes")
    record = {
        "exitCode": exit_code,
        "signal": signal_name,
        "timedOut": relay.timed_out,
        "outputLimit": relay.output_limit,
        "stdoutTruncated": relay.truncated[b"O"],
        "stderrTruncated": relay.truncated[b"E"],
        "oomKilled": oom_kills() > 0,
        "filesTruncated": truncated,
        "wallMs": wall_ms,
        "cpuMs": int((usage.ru_utime + usage.ru_stime) * 1000),
        "peakMemoryBytes": peak if peak is not None else usage.ru_maxrss * 1024,
    }
    send(b"X", json.dumps(record).encode())


if __name__ == "__main__":
    main()
