"""In-container runner for SimplePySandbox.

Started as the container's main process (under the init shim), it signals that
it is ready and reads one framed payload from stdin. Then it does one of two
things:

- a job: it writes the code as main.py in the working directory beside the
  input files (so tracebacks, inspect and __file__ work as with `python3
  main.py`), runs it in a forked child (forked while the runner waited, when it
  did: see JobProcess), relays the child's output as frames on stdout, and
  finally sends back the files the program created or changed plus an exit
  record; then it idles until its stdin closes or the container is removed;
- a session (the payload has "session": true): it writes the input files,
  forks a long-lived interpreter (the kernel) that keeps one namespace, and
  serves requests until its stdin closes or the kernel dies: cells, run one at
  a time in that namespace, and file operations on the working directory,
  answered at once, even while a cell runs.

Wire format, container stdin:  u32 big-endian length + UTF-8 JSON, per message.
Wire format, container stdout: 1 byte type + u32 big-endian length + body.
  R ready   A payload accepted (a session: up and serving)
  O stdout chunk   E stderr chunk
  D display, JSON {"mime", "data"}: data is base64 for image/png, text otherwise
  F file (u16 name length + name bytes + content)   X exit record (JSON)
  V a cell's value (its last expression), JSON {mime: data}
  C a cell's end record (JSON; the exit record's fields, for that cell)
  Q the answer to a file operation: u32 header length + JSON header + content

Both the job's program and the kernel get the display channel as descriptor 3
(`display()` and the figures left open write there); the kernel reads its
cells from descriptor 4. The user's code can write to both: it can only send
displays of its own, or confuse its own session, and the runner bounds and
checks whatever arrives there.

Everything here runs as the same unprivileged uid as the user's code, so the
worker trusts nothing it says: this file exists for convenience and speed,
not as a security boundary.
"""
import atexit
import base64
import collections
import errno
import fcntl
import json
import os
import resource
import select
import selectors
import signal
import stat
import struct
import sys
import threading
import time
import types

WORKDIR = "/sandbox"
MAIN_FILE = WORKDIR + "/main.py"
CHUNK = 65536
MAX_SCAN_ENTRIES = 20000
MAX_DEPTH = 32
EVENTS_FD = 3
CELLS_FD = 4
# A job's process is handed its program here, and closes it before the program runs.
GO_FD = 4
# How long a program's printed output may wait in its buffer before it is sent (see start_output_flusher).
FLUSH_EVERY_S = 0.05
# A cell past its time limit gets SIGINT (KeyboardInterrupt); an interpreter that has
# not finished the cell this long after is killed, and the session with it.
INTERRUPT_GRACE_S = 1.0
# The worker's own messages (a cell's code and stdin, an uploaded file) stay far below this.
MAX_REQUEST_BYTES = 64 << 20
# What a message from the user's side may carry beyond its display budget (the JSON around it).
EVENT_OVERHEAD_BYTES = 4096


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def send(kind, body=b""):
    write_all(1, kind + struct.pack(">I", len(body)) + body)


def send_json(kind, value):
    send(kind, json.dumps(value).encode())


def read_exact(fd, size):
    parts, remaining = [], size
    while remaining:
        part = os.read(fd, min(remaining, 1 << 20))
        if not part:
            raise EOFError("payload ended early")
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def read_message(fd):
    (size,) = struct.unpack(">I", read_exact(fd, 4))
    return json.loads(read_exact(fd, size))


def encode_message(value):
    body = json.dumps(value).encode()
    return struct.pack(">I", len(body)) + body


class MessageReader:
    """Length-prefixed JSON messages from a stream, fed as it arrives. A message
    longer than `limit` is skipped whole, unread, and counted in `skipped`."""

    def __init__(self, limit):
        self.limit = limit
        self.buffer = bytearray()
        self.skip = 0
        self.skipped = 0

    def feed(self, data):
        self.buffer += data
        messages = []
        while True:
            if self.skip:
                dropped = min(self.skip, len(self.buffer))
                del self.buffer[:dropped]
                self.skip -= dropped
                if self.skip:
                    break
            if len(self.buffer) < 4:
                break
            (size,) = struct.unpack_from(">I", self.buffer)
            if size > self.limit:
                del self.buffer[:4]
                self.skip = size
                self.skipped += 1
                continue
            if len(self.buffer) < 4 + size:
                break
            body = bytes(self.buffer[4 : 4 + size])
            del self.buffer[: 4 + size]
            try:
                messages.append(json.loads(body))
            except ValueError:
                self.skipped += 1
        return messages


def safe_segments(path):
    # The API validated this already; a second check costs nothing.
    if not isinstance(path, str) or not path or "\0" in path or path.startswith("/"):
        raise ValueError("bad input path")
    segments = path.split("/")
    if any(s in ("", ".", "..") for s in segments):
        raise ValueError("bad input path")
    return segments


def write_input_files(files):
    """Writes input files under the working directory; returns what was written, by name."""
    inputs = {}
    for entry in files:
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


def install_descriptors(wanted):
    """In a fresh child: makes each fd number in `wanted` refer to its source, and closes every other descriptor."""
    # Copies first, above every target, so that no dup2 overwrites a source still needed.
    copies = {target: fcntl.fcntl(source, fcntl.F_DUPFD, max(wanted) + 1) for target, source in wanted.items()}
    for target, copy in copies.items():
        os.dup2(copy, target, inheritable=target <= 2)
    os.closerange(max(wanted) + 1, 1 << 16)


def become_user_process():
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


def start_output_flusher():
    """Sends what the program printed at least every FLUSH_EVERY_S, as a notebook kernel does.

    Its output goes to a pipe, so Python buffers it in 8 KiB blocks: without this a
    program that prints a line now and then would show nothing until it ends. Flushing
    on every line instead would cost an output-heavy program one write per line.
    """

    def flush_forever():
        while True:
            time.sleep(FLUSH_EVERY_S)
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except BaseException:
                    pass

    threading.Thread(target=flush_forever, name="output-flusher", daemon=True).start()


def new_main_module(rich):
    main = types.ModuleType("__main__")
    main.__builtins__ = __builtins__
    main.display = rich.display
    sys.modules["__main__"] = main
    return main


def report_exception(exc, frames_to_drop=1):
    """Prints an uncaught exception as the interpreter's top level would, without the runner's own frames."""
    tb = exc.__traceback__
    for _ in range(frames_to_drop):
        tb = tb.tb_next if tb is not None else None
    exc.__traceback__ = tb
    if sys.excepthook is sys.__excepthook__:
        # The pure-Python printer shows the offending lines with their markers, as `python3 main.py` does.
        import traceback

        traceback.print_exception(exc)
    else:
        sys.excepthook(type(exc), exc, exc.__traceback__)


class RichOutput:
    """The user's side of the display channel: display(), a cell's value and the
    matplotlib figures left open, sent to the runner as messages on EVENTS_FD.
    Texts are cut to `limit` characters here, so a huge repr never crosses the pipe whole."""

    def __init__(self, limit):
        import _thread

        self.limit = limit
        self.lock = _thread.allocate_lock()

    def emit(self, message):
        data = encode_message(message)
        # Output printed before a display is written out first, so the two arrive in the order they were made.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        with self.lock:
            try:
                write_all(EVENTS_FD, data)
            except OSError:
                pass  # the code closed or replaced the channel: its displays are lost, nothing else

    def cut(self, text):
        return text if len(text) <= self.limit else text[: self.limit]

    def display(self, *objects):
        """Shows each object in the result's displays: a figure or anything with _repr_png_ as a PNG, _repr_html_ as HTML, else its repr."""
        for obj in objects:
            mime, data = self.represent(obj)
            self.emit({"t": "display", "mime": mime, "data": data})

    def represent(self, obj):
        if is_figure(obj):
            return "image/png", figure_png(obj)
        png = rich_repr(obj, "_repr_png_")
        if isinstance(png, bytes):
            return "image/png", base64.b64encode(png).decode()
        html = rich_repr(obj, "_repr_html_")
        if isinstance(html, str):
            return "text/html", self.cut(html)
        return "text/plain", self.cut(repr(obj))

    def value(self, obj):
        bundle = {"text/plain": self.cut(repr(obj))}
        html = rich_repr(obj, "_repr_html_")
        if isinstance(html, str) and len(html) <= self.limit:
            bundle["text/html"] = html
        self.emit({"t": "value", "data": bundle})

    def open_figures(self):
        """Every matplotlib figure still open, as a PNG display, then closed: only when the code imported pyplot."""
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is None:
            return
        try:
            for number in pyplot.get_fignums():
                try:
                    self.emit({"t": "display", "mime": "image/png", "data": figure_png(pyplot.figure(number))})
                except Exception as exc:
                    report_exception(exc, 0)
        finally:
            pyplot.close("all")


def is_figure(obj):
    return type(obj).__module__.startswith("matplotlib.") and type(obj).__name__ == "Figure"


def figure_png(figure):
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode()


def rich_repr(obj, method):
    # Looked up on the type, as IPython does: a class object passed in does not answer for its instances.
    render = getattr(type(obj), method, None)
    if render is None:
        return None
    try:
        return render(obj)
    except Exception as exc:
        report_exception(exc, 0)
        return None


class JobProcess:
    """The process that becomes the user's `python main.py`: forked and set up
    as far as it can be before the job is known (descriptors, working
    directory, output flusher), then waiting on GO_FD for its code. A
    pre-started container forks it while it waits for its payload, so a job
    does not pay for the fork on its way to the user's first line."""

    def __init__(self):
        stdin_r, stdin_w = os.pipe()
        stdout_r, stdout_w = os.pipe()
        stderr_r, stderr_w = os.pipe()
        events_r, events_w = os.pipe()
        go_r, go_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                install_descriptors({0: stdin_r, 1: stdout_w, 2: stderr_w, EVENTS_FD: events_w, GO_FD: go_r})
                become_user_process()
                start_output_flusher()
                run_user_code(read_message(GO_FD))
            finally:
                os._exit(70)
        for fd in (stdin_r, stdout_w, stderr_w, events_w, go_r):
            os.close(fd)
        self.pipes = (stdin_w, stdout_r, stderr_r, events_r)
        self.go = go_w

    def start(self, payload):
        """Hands the process its program; it runs from here on."""
        job = {"code": payload["code"], "args": list(payload.get("args", [])), "outputBytes": payload["outputBytes"]}
        try:
            write_all(self.go, encode_message(job))
        except BrokenPipeError:
            pass  # it died waiting (killed from outside): its exit status says so
        os.close(self.go)

    def discard(self):
        """Not needed after all (the payload is a session's, or broken): it is killed; reap() collects it."""
        for fd in self.pipes + (self.go,):
            os.close(fd)
        os.kill(self.pid, signal.SIGKILL)

    def reap(self):
        os.waitpid(self.pid, 0)


def run_user_code(job):
    """Runs in the job's process, once its program has come: becomes the user's `python main.py`."""
    os.close(GO_FD)
    sys.argv = [MAIN_FILE] + job["args"]
    status = execute_main(job["code"].encode("utf-8"), RichOutput(int(job["outputBytes"])))
    report_end(status)
    os._exit(status)


def report_end(status):
    """Tells the runner the program is over before the process is gone: its status and CPU time go on the
    display channel, then its output descriptors close. The runner need not wait while the kernel takes
    the process down (the output flusher's thread with it), which is most of a short job's end. Only the
    job's own process is heard (a fork of it that returns here is not); a program that sends this itself
    only cuts its own run short."""
    cpu = sum(u.ru_utime + u.ru_stime for u in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))
    try:
        end = {"t": "end", "pid": os.getpid(), "exitCode": status, "cpuMs": int(cpu * 1000)}
        write_all(EVENTS_FD, encode_message(end))
    except OSError:
        return
    for fd in (0, 1, 2, EVENTS_FD):
        try:
            os.close(fd)
        except OSError:
            pass


def execute_main(source, rich):
    main = new_main_module(rich)
    main.__file__ = MAIN_FILE
    status = 0
    try:
        exec(compile(source, MAIN_FILE, "exec", dont_inherit=True), main.__dict__)
    except SystemExit as exc:
        status = exit_status(exc.code)
    except BaseException as exc:  # the interpreter's own top level does the same
        report_exception(exc)
        status = 1
    try:
        rich.open_figures()
    except BaseException as exc:
        report_exception(exc, 0)
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


class DisplayBudget:
    """What a job or a cell may show: at most `count` displays, and `size` characters of data with its value."""

    def __init__(self, size, count):
        self.room = size
        self.count = count
        self.truncated = False

    def admit(self, data_size, counted=True):
        if (counted and self.count <= 0) or data_size > self.room:
            self.truncated = True
            return False
        self.count -= counted
        self.room -= data_size
        return True

    def relay(self, message):
        """Sends a display or value message from the user's side as a frame, if well formed and within the budget."""
        kind = message.get("t") if isinstance(message, dict) else None
        if kind == "display":
            mime, data = message.get("mime"), message.get("data")
            if isinstance(mime, str) and isinstance(data, str) and 0 < len(mime) <= 100:
                if self.admit(len(data)):
                    send_json(b"D", {"mime": mime, "data": data})
                return
        elif kind == "value":
            bundle = message.get("data")
            if isinstance(bundle, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in bundle.items()):
                # A value is not a display: only its size counts.
                if self.admit(sum(len(v) for v in bundle.values()), counted=False):
                    send_json(b"V", bundle)
                return
        self.truncated = True


class Relay:
    """Copies the child's stdin/stdout/stderr and displays through frames, under the limits."""

    def __init__(self, payload, child, pipes):
        self.stdin_data = base64.b64decode(payload.get("stdin") or "", validate=True)
        self.limit = int(payload["outputBytes"])
        self.deadline = time.monotonic() + int(payload["timeoutMs"]) / 1000
        self.counts = {b"O": 0, b"E": 0}
        self.truncated = {b"O": False, b"E": False}
        self.output_limit = False
        self.timed_out = False
        self.exited = False
        self.reported_end = None
        self.displays = DisplayBudget(self.limit, int(payload["maxDisplays"]))
        self.events = MessageReader(self.limit + EVENT_OVERHEAD_BYTES)
        self.selector = selectors.DefaultSelector()
        stdin_w, stdout_r, stderr_r, events_r = pipes
        self.child = child
        self.child_fd = os.pidfd_open(child)
        self.selector.register(self.child_fd, selectors.EVENT_READ, "exit")
        self.selector.register(stdout_r, selectors.EVENT_READ, b"O")
        self.selector.register(stderr_r, selectors.EVENT_READ, b"E")
        self.selector.register(events_r, selectors.EVENT_READ, "events")
        self.open_streams = 3
        if self.stdin_data:
            os.set_blocking(stdin_w, False)
            self.selector.register(stdin_w, selectors.EVENT_WRITE, "stdin")
        else:
            os.close(stdin_w)

    def run(self):
        # Over once every stream has ended and the child has exited, or said it is exiting.
        while self.open_streams or not (self.exited or self.reported_end):
            timeout = self.deadline - time.monotonic()
            if timeout <= 0:
                self.timed_out = True
                kill_everything()
                break
            for key, _ in self.selector.select(timeout):
                if key.data == "exit":
                    self.exited = True
                    self.selector.unregister(key.fd)
                    # Background processes do not outlive the main program.
                    kill_everything()
                elif key.data == "stdin":
                    self.feed_stdin(key.fd)
                elif key.data == "events":
                    self.relay_events(key.fd)
                else:
                    self.forward(key.fd, key.data)
            if self.output_limit:
                kill_everything()
                break
        if self.events.skipped:
            self.displays.truncated = True

    def feed_stdin(self, fd):
        try:
            written = os.write(fd, self.stdin_data[:CHUNK])
        except BrokenPipeError:
            written = len(self.stdin_data)
        self.stdin_data = self.stdin_data[written:]
        if not self.stdin_data:
            self.selector.unregister(fd)
            os.close(fd)

    def close_stream(self, fd):
        self.selector.unregister(fd)
        os.close(fd)
        self.open_streams -= 1

    def relay_events(self, fd):
        chunk = os.read(fd, CHUNK)
        if not chunk:
            return self.close_stream(fd)
        for message in self.events.feed(chunk):
            if isinstance(message, dict) and message.get("t") == "end":
                if message.get("pid") == self.child:
                    self.reported_end = message
            else:
                self.displays.relay(message)

    def forward(self, fd, kind):
        chunk = os.read(fd, CHUNK)
        if not chunk:
            return self.close_stream(fd)
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
    return exit_of(status)


def exit_of(status):
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


def peak_memory():
    return read_cgroup_number("/sys/fs/cgroup/memory.peak", "/sys/fs/cgroup/memory/memory.max_usage_in_bytes")


def current_memory():
    return read_cgroup_number("/sys/fs/cgroup/memory.current", "/sys/fs/cgroup/memory/memory.usage_in_bytes")


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
    sent, total, truncated = 0, 0, False
    scan = walk_regular_files()
    for name, path in scan:
        data = read_regular_file(path, max_file)
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
    return truncated or scan.truncated


class walk_regular_files:
    """(name relative to the working directory, path) of every regular file under it, never through a link;
    `truncated` says whether the walk stopped at its entry or depth limit."""

    def __init__(self):
        self.truncated = False

    def __iter__(self):
        scanned = 0
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
                    self.truncated = True
                    return
                name = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if depth + 1 < MAX_DEPTH:
                        stack.append((entry.path, name + b"/", depth + 1))
                    else:
                        self.truncated = True
                elif entry.is_file(follow_symlinks=False):
                    yield name, entry.path


def read_regular_file(path, max_size, dir_fd=None):
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
    except OSError:
        return None
    try:
        return read_open_file(fd, max_size)
    finally:
        os.close(fd)


def read_open_file(fd, max_size):
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > max_size:
        return None
    data = os.read(fd, max_size + 1)
    return data if len(data) <= max_size else None


def preload_while_idle():
    """A pre-started container waits for its job or session: spend that wait on
    first-use costs it would otherwise pay. A cold start has its payload waiting
    already and skips this."""
    import ast  # noqa: F401  (a session's cells are parsed with it)
    import traceback  # noqa: F401  (with linecache, tokenize and re: what a traceback needs)

    compile("import sys\nprint(sys.argv)\n", MAIN_FILE, "exec", dont_inherit=True)


def run_job(payload, process):
    try:
        # Tells the worker this container was alive and took the job, so a
        # container that died before this is the service's fault, not the user's.
        send(b"A")
        code = payload["code"].encode("utf-8")
        inputs = write_input_files([{"path": "main.py", "data": code}] + payload.get("files", []))
    except Exception as exc:  # a broken payload is the worker's bug, not the user's
        if process:
            process.discard()
            process.reap()
        return send_payload_error(exc)
    process = process or JobProcess()
    started = time.monotonic()
    process.start(payload)
    relay = Relay(payload, process.pid, process.pipes)
    relay.run()
    wall_ms = int((time.monotonic() - started) * 1000)
    exit_code, signal_name, cpu_ms = end_of(process.pid, relay)
    kill_everything()
    truncated = collect_files(
        inputs, (int(payload["maxFiles"]), int(payload["maxFileBytes"]), int(payload["maxTotalFileBytes"]))
    )
    peak = peak_memory()
    send_json(
        b"X",
        exit_record(
            exit_code,
            signal_name,
            timedOut=relay.timed_out,
            outputLimit=relay.output_limit,
            stdoutTruncated=relay.truncated[b"O"],
            stderrTruncated=relay.truncated[b"E"],
            oomKilled=oom_kills() > 0,
            filesTruncated=truncated,
            displaysTruncated=relay.displays.truncated,
            wallMs=wall_ms,
            cpuMs=cpu_ms,
            peakMemoryBytes=peak if peak is not None else resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
        ),
    )
    wait_for_release()


def wait_for_release():
    """Stays up, doing nothing, until the worker closes stdin or removes the container: the container's end
    then comes when the worker chooses, not while the result it just sent is on its way to the caller."""
    try:
        while os.read(0, CHUNK):
            pass
    except OSError:
        pass


def end_of(pid, relay):
    """(exit code, signal, CPU ms) of the job's process: what it reported just before it exited, when the
    relay ended on that report; else from its exit, once it is surely over."""
    reported = relay.reported_end
    if not (relay.exited or relay.timed_out or relay.output_limit) and isinstance(reported, dict):
        exit_code, cpu_ms = reported.get("exitCode"), reported.get("cpuMs")
        if isinstance(exit_code, int) and isinstance(cpu_ms, int):
            return exit_code & 0xFF, None, max(0, cpu_ms)
    if not relay.exited:
        kill_everything()  # a report it could not read: the process may still run
    exit_code, signal_name = wait_child(pid)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return exit_code, signal_name, int((usage.ru_utime + usage.ru_stime) * 1000)


def exit_record(exit_code, signal_name, **fields):
    record = {
        "exitCode": exit_code,
        "signal": signal_name,
        "timedOut": False,
        "outputLimit": False,
        "stdoutTruncated": False,
        "stderrTruncated": False,
        "oomKilled": False,
        "filesTruncated": False,
        "displaysTruncated": False,
        "wallMs": 0,
        "cpuMs": 0,
        "peakMemoryBytes": 0,
    }
    record.update(fields)
    return record


def send_payload_error(exc):
    send_json(b"X", {"error": "runner could not read its payload: %s" % type(exc).__name__})


# ---------------------------------------------------------------- sessions


def run_kernel():
    """The session's interpreter, in a child of the runner: reads cells from CELLS_FD and runs each in one namespace."""
    become_user_process()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    start_output_flusher()
    sys.argv = [""]
    rich = RichOutput(CHUNK)
    namespace = new_main_module(rich).__dict__
    count = 0
    while True:
        try:
            cell = read_message(CELLS_FD)
        except EOFError:
            os._exit(0)
        count += 1
        rich.limit = int(cell["outputBytes"])
        # SIGINT becomes KeyboardInterrupt inside a cell only, where the runner sends it at a timeout. Set
        # again for every cell, since a cell may have replaced it; the interpreter's own handler adds no frame
        # of the kernel's to the traceback.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            status = run_cell(cell, "<cell %d>" % count, namespace, rich)
        except KeyboardInterrupt:  # landed in the kernel's own handling of the cell
            status = 1
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        rich.emit({"t": "done", "id": cell["id"], "exitCode": status})


def run_cell(cell, filename, namespace, rich):
    """Runs one cell like a notebook: all of it, then the value of a trailing expression. Returns its exit status."""
    import ast
    import linecache

    use_stdin(base64.b64decode(cell.get("stdin") or "", validate=True))
    source = cell["code"]
    status = 0
    try:
        tree = compile(source, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        # Kept for tracebacks and inspect, as a file would be; mtime None keeps it from being checked against a disk.
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr) and not source.rstrip().endswith(";"):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, filename, "exec", dont_inherit=True), namespace)
        if last is not None:
            value = eval(compile(last, filename, "eval", dont_inherit=True), namespace)
            if value is not None:
                namespace["_"] = value
                rich.value(value)
    except SystemExit as exc:
        status = exit_status(exc.code)
    except SyntaxError as exc:
        report_exception(exc, 99)  # none of its frames are the user's
        status = 1
    except BaseException as exc:
        report_exception(exc)
        status = 1
    try:
        rich.open_figures()
    except BaseException as exc:
        report_exception(exc, 0)
    return status


def use_stdin(data):
    """Gives the cell `data` as its stdin, on descriptor 0 for subprocesses and as sys.stdin."""
    import io

    import tempfile

    # A file in /tmp, not a memfd: the sandbox's seccomp profile refuses memfd_create. Kept open
    # until dup'ed, since a file object nothing refers to is closed at once.
    with tempfile.TemporaryFile() as spool:
        fd = os.dup(spool.fileno())
    write_all(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    os.dup2(fd, 0)
    os.close(fd)
    previous = sys.__stdin__
    sys.stdin = io.TextIOWrapper(
        io.BufferedReader(io.FileIO(0, "r", closefd=False)),
        encoding=getattr(previous, "encoding", None) or "utf-8",
        errors=getattr(previous, "errors", None) or "strict",
    )


def kernel_cpu_ms(pid):
    """CPU time of the kernel and of the children it has waited for, from /proc."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rpartition(")")[2].split()
        ticks = sum(int(value) for value in fields[11:15])
        return ticks * 1000 // os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0


class Cell:
    """One cell while it runs: its limits, what it has sent, and how it is being stopped."""

    def __init__(self, request, kernel):
        self.id = request["id"]
        self.limit = int(request["outputBytes"])
        self.started = time.monotonic()
        self.deadline = self.started + int(request["timeoutMs"]) / 1000
        self.kill_at = None
        self.counts = {b"O": 0, b"E": 0}
        self.truncated = {b"O": False, b"E": False}
        self.output_limit = False
        self.timed_out = False
        self.displays = DisplayBudget(self.limit, int(request["maxDisplays"]))
        self.cpu_before = kernel_cpu_ms(kernel)
        self.oom_before = oom_kills()

    def record(self, kernel, exit_code, signal_name, died):
        peak = peak_memory()
        return exit_record(
            exit_code,
            signal_name,
            id=self.id,
            kernelDied=died,
            timedOut=self.timed_out,
            outputLimit=self.output_limit,
            stdoutTruncated=self.truncated[b"O"],
            stderrTruncated=self.truncated[b"E"],
            oomKilled=oom_kills() > self.oom_before,
            displaysTruncated=self.displays.truncated,
            wallMs=int((time.monotonic() - self.started) * 1000),
            cpuMs=max(0, kernel_cpu_ms(kernel) - self.cpu_before) if not died else 0,
            peakMemoryBytes=peak or 0,
            memoryBytes=current_memory() or 0,
        )


class Session:
    """The runner's side of a session: relays between the worker and the kernel, one cell at a time,
    and answers file operations itself."""

    def __init__(self):
        self.started = time.monotonic()
        self.selector = selectors.DefaultSelector()
        self.requests = MessageReader(MAX_REQUEST_BYTES)
        self.waiting = collections.deque()
        self.cell = None
        self.to_kernel = bytearray()
        self.events = MessageReader(EVENT_OVERHEAD_BYTES)
        # Messages read after a cell's end, sent by something still running: they go with the next cell.
        self.early_events = []
        # Kernel streams that reached their end (the code closed them): never watched again.
        self.closed = set()
        self.start_kernel()

    def start_kernel(self):
        cells_r, self.cells_w = os.pipe()
        self.events_r, events_w = os.pipe()
        self.stdout_r, stdout_w = os.pipe()
        self.stderr_r, stderr_w = os.pipe()
        null = os.open(os.devnull, os.O_RDONLY)
        self.kernel = os.fork()
        if self.kernel == 0:
            try:
                install_descriptors({0: null, 1: stdout_w, 2: stderr_w, EVENTS_FD: events_w, CELLS_FD: cells_r})
                run_kernel()
            finally:
                os._exit(70)
        for fd in (cells_r, events_w, stdout_w, stderr_w, null):
            os.close(fd)
        for fd in (self.cells_w, self.events_r, self.stdout_r, self.stderr_r):
            os.set_blocking(fd, False)
        self.selector.register(os.pidfd_open(self.kernel), selectors.EVENT_READ, "kernel")
        self.selector.register(0, selectors.EVENT_READ, "requests")

    def serve(self):
        while True:
            for key, _ in self.selector.select(self.next_timeout()):
                if key.data == "requests":
                    if not self.read_requests():
                        return kill_everything()  # the worker is done with this session
                elif key.data == "kernel":
                    return self.kernel_died()
                elif key.data == "to-kernel":
                    self.write_to_kernel()
                elif self.cell is None:
                    continue  # the cell ended earlier in this round, and its streams are no longer watched
                elif key.data == "events":
                    self.read_events()
                else:
                    self.forward(key.fd, key.data)
            self.enforce_limits()
            if self.cell is None and self.waiting:
                self.start_cell(self.waiting.popleft())

    def next_timeout(self):
        if self.cell is None:
            return None
        return max(0, (self.cell.kill_at or self.cell.deadline) - time.monotonic())

    def read_requests(self):
        data = os.read(0, 1 << 20)
        if not data:
            return False
        for request in self.requests.feed(data):
            op = request.get("op")
            if op == "cell":
                self.waiting.append(request)
            else:
                self.answer_file_operation(op, request)
        return True

    def start_cell(self, request):
        self.cell = Cell(request, self.kernel)
        self.events.limit = self.cell.limit + EVENT_OVERHEAD_BYTES
        self.events.skipped = 0
        if not self.to_kernel:
            self.selector.register(self.cells_w, selectors.EVENT_WRITE, "to-kernel")
        self.to_kernel += encode_message(request)
        for fd, data in ((self.stdout_r, b"O"), (self.stderr_r, b"E"), (self.events_r, "events")):
            if fd not in self.closed:
                self.selector.register(fd, selectors.EVENT_READ, data)
        early, self.early_events = self.early_events, []
        self.handle_events(early)

    def write_to_kernel(self):
        try:
            written = os.write(self.cells_w, self.to_kernel[:CHUNK])
        except BlockingIOError:
            return
        del self.to_kernel[:written]
        if not self.to_kernel:
            self.selector.unregister(self.cells_w)

    def read_events(self):
        chunk = self.read_stream(self.events_r, CHUNK)
        if chunk:
            self.handle_events(self.events.feed(chunk))

    def handle_events(self, messages):
        for index, message in enumerate(messages):
            if self.cell is None:
                self.early_events.extend(messages[index:])
                return
            if isinstance(message, dict) and message.get("t") == "done":
                # A "done" for another cell can only be forged by the cell's own code: it is ignored.
                if message.get("id") == self.cell.id:
                    code = message.get("exitCode")
                    self.finish_cell(code if isinstance(code, int) and 0 <= code <= 255 else 1, None, False)
            else:
                # What the code printed before it displayed something comes first.
                self.drain_output()
                self.cell.displays.relay(message)

    def read_stream(self, fd, size):
        """One read from a kernel stream; at its end, the stream is never watched again."""
        try:
            chunk = os.read(fd, size)
        except BlockingIOError:
            return b""
        if not chunk and fd not in self.closed:
            self.closed.add(fd)
            self.selector.unregister(fd)
        return chunk

    def forward(self, fd, kind, size=CHUNK):
        """Relays one read of the kernel's stdout or stderr under the cell's cap; returns how much was read."""
        chunk = self.read_stream(fd, min(size, CHUNK))
        read = len(chunk)
        cell = self.cell
        room = cell.limit - cell.counts[kind]
        if read > room:
            cell.truncated[kind] = True
            cell.output_limit = True
            chunk = chunk[: max(room, 0)]
        cell.counts[kind] += len(chunk)
        if chunk:
            send(kind, chunk)
        return read

    def enforce_limits(self):
        cell = self.cell
        if cell is None:
            return
        now = time.monotonic()
        if cell.kill_at is not None:
            if now >= cell.kill_at:
                # Not back within the grace: the interpreter goes, and the session with it.
                os.kill(self.kernel, signal.SIGKILL)
                kill_everything()
                cell.kill_at = now + 3600
            return
        if now >= cell.deadline:
            cell.timed_out = True
        if cell.timed_out or cell.output_limit:
            os.kill(self.kernel, signal.SIGINT)
            cell.kill_at = now + INTERRUPT_GRACE_S

    def drain_output(self):
        # The kernel flushed before it said the cell was done: what it wrote is in the pipes now.
        # A background writer could go on forever, so this reads no more than the cap allows.
        for fd, kind in ((self.stdout_r, b"O"), (self.stderr_r, b"E")):
            budget = self.cell.limit + CHUNK
            while budget > 0 and fd not in self.closed:
                read = self.forward(fd, kind, budget)
                if not read:
                    break
                budget -= read

    def finish_cell(self, exit_code, signal_name, died):
        self.drain_output()
        for fd in (self.stdout_r, self.stderr_r, self.events_r):
            if fd not in self.closed:
                self.selector.unregister(fd)
        if self.events.skipped:
            self.cell.displays.truncated = True
        if (self.cell.timed_out or self.cell.output_limit) and not died:
            # Stopped by KeyboardInterrupt, whatever status the interrupted code then reported.
            exit_code, signal_name = None, "SIGINT"
        send_json(b"C", self.cell.record(self.kernel, exit_code, signal_name, died))
        self.cell = None

    def kernel_died(self):
        exit_code, signal_name = wait_child(self.kernel)
        if self.cell is not None:
            self.finish_cell(exit_code, signal_name, True)
        kill_everything()
        peak = peak_memory()
        send_json(
            b"X",
            exit_record(
                exit_code,
                signal_name,
                oomKilled=oom_kills() > 0,
                wallMs=int((time.monotonic() - self.started) * 1000),
                peakMemoryBytes=peak or 0,
            ),
        )

    def answer_file_operation(self, op, request):
        header, content = {"id": request.get("id"), "ok": True}, b""
        try:
            if op == "put":
                header["size"] = put_file(request["path"], base64.b64decode(request["data"], validate=True))
            elif op == "get":
                content = get_file(request["path"], int(request["maxBytes"]))
                header["size"] = len(content)
            elif op == "list":
                header["files"], header["truncated"] = list_files(int(request["maxEntries"]))
            elif op == "stat":
                header["memoryBytes"] = current_memory() or 0
            else:
                raise FileRefusal("invalid")
        except FileRefusal as refusal:
            header, content = {"id": request.get("id"), "ok": False, "error": refusal.args[0]}, b""
        except OSError as error:
            header, content = {"id": request.get("id"), "ok": False, "error": refusal_for(error).args[0]}, b""
        except (KeyError, ValueError, TypeError):
            header, content = {"id": request.get("id"), "ok": False, "error": "invalid"}, b""
        body = json.dumps(header).encode()
        send(b"Q", struct.pack(">I", len(body)) + body + content)


class FileRefusal(Exception):
    """Why a file operation was refused, as a short code the worker turns into a message."""


def refusal_for(error):
    if error.errno in (errno.ELOOP, errno.EMLINK):
        return FileRefusal("link")
    if error.errno == errno.ENOENT:
        return FileRefusal("missing")
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return FileRefusal("no-space")
    if error.errno in (errno.EISDIR, errno.ENXIO, errno.ENOTDIR):
        return FileRefusal("not-regular")
    return FileRefusal("io")


def open_beneath(path, flags, create_parents=False):
    """Opens WORKDIR/path without following a link anywhere on the way: every directory is
    entered with O_NOFOLLOW, relative to the one before, and so is the file itself."""
    segments = safe_segments(path)
    directory = os.open(WORKDIR, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for segment in segments[:-1]:
            if create_parents:
                try:
                    os.mkdir(segment, 0o700, dir_fd=directory)
                except FileExistsError:
                    pass
            try:
                inner = os.open(segment, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=directory)
            except OSError as error:
                raise link_or(error, segment, directory)
            os.close(directory)
            directory = inner
        try:
            return os.open(segments[-1], flags | os.O_NOFOLLOW | os.O_NONBLOCK, 0o600, dir_fd=directory)
        except OSError as error:
            raise link_or(error, segments[-1], directory)
    finally:
        os.close(directory)


def link_or(error, name, directory):
    """A link is reported as one whatever error opening it gave (ELOOP, or ENOTDIR with O_DIRECTORY)."""
    try:
        if stat.S_ISLNK(os.lstat(name, dir_fd=directory).st_mode):
            return FileRefusal("link")
    except OSError:
        pass
    return refusal_for(error)


def put_file(path, data):
    fd = open_beneath(path, os.O_WRONLY | os.O_CREAT, create_parents=True)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FileRefusal("not-regular")
        os.ftruncate(fd, 0)
        write_all(fd, data)
    except OSError as error:
        raise refusal_for(error)
    finally:
        os.close(fd)
    return len(data)


def get_file(path, max_bytes):
    fd = open_beneath(path, os.O_RDONLY)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefusal("not-regular")
        if info.st_size > max_bytes:
            raise FileRefusal("too-large")
        data = read_open_file(fd, max_bytes)
        if data is None:
            raise FileRefusal("too-large")
        return data
    finally:
        os.close(fd)


def list_files(max_entries):
    files, truncated = [], False
    scan = walk_regular_files()
    for name, path in scan:
        try:
            text = name.decode("utf-8")
            size = os.lstat(path).st_size
        except (UnicodeDecodeError, OSError):
            truncated = True
            continue
        if len(files) >= max_entries:
            truncated = True
            break
        files.append({"path": text, "size": size})
    files.sort(key=lambda entry: entry["path"])
    return files, truncated or scan.truncated


def run_session(payload, unused_job_process):
    # Loaded before the kernel is forked, so its first cell does not pay for them.
    import ast  # noqa: F401
    import io  # noqa: F401
    import linecache  # noqa: F401

    if unused_job_process:
        unused_job_process.discard()
    try:
        write_input_files(payload.get("files", []))
        session = Session()
    except Exception as exc:
        return send_payload_error(exc)
    send(b"A")
    if unused_job_process:
        unused_job_process.reap()  # once the session is announced: the kernel takes it down meanwhile
    session.serve()


def main():
    # The interpreter starts with -S; site-packages are set up here, once, before
    # the ready signal, so a pre-started container has paid for it already and
    # the forked program sees the same sys.path as `python3 main.py` would.
    import site

    site.main()
    send(b"R")
    process = None
    if not select.select([0], [], [], 0)[0]:
        preload_while_idle()
        process = JobProcess()
    try:
        payload = read_message(0)
    except Exception as exc:  # a broken payload is the worker's bug, not the user's
        return send_payload_error(exc)
    if payload.get("session") is True:
        run_session(payload, process)
    else:
        run_job(payload, process)


if __name__ == "__main__":
    main()
