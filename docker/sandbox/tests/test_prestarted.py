"""The runner as a pre-started container runs it: up and waiting before its
payload comes, with the job's process forked ahead, then held up after the
exit record until the worker lets it go.

    python3 -m unittest discover -s docker/sandbox/tests
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from test_runner import LOCAL_RUNNER, MiB, RUN_TIMEOUT_S, decode_frames, encode_payload
from test_session import Session

# Under local_runner.py: the namespace's init and the runner; a waiting runner adds its job's process.
WAITING_PROCESSES = 3


def descendants(root):
    """Every live process below `root`, read from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def wait_until_waiting(process):
    """Returns once the runner has forked its job's process ahead of the payload."""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while len(descendants(process.pid)) < WAITING_PROCESSES:
        if time.monotonic() > deadline or process.poll() is not None:
            raise AssertionError("the runner never forked a job process while it waited")
        time.sleep(0.02)


def job_payload(code, stdin=b"", args=(), files=()):
    return encode_payload(
        {
            "code": code,
            "stdin": base64.b64encode(stdin).decode(),
            "args": list(args),
            "files": [{"path": path, "data": base64.b64encode(data).decode()} for path, data in files],
            "timeoutMs": 20000,
            "outputBytes": MiB,
            "maxFiles": 100,
            "maxFileBytes": MiB,
            "maxTotalFileBytes": 4 * MiB,
            "maxDisplays": 10,
        }
    )


class PrestartedRunner:
    """A runner started with nothing on its stdin, that has forked its job's process and waits."""

    def __init__(self):
        self.workdir = tempfile.mkdtemp(prefix="sps-prestarted-test-")
        self.process = subprocess.Popen(
            [sys.executable, LOCAL_RUNNER, self.workdir], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        wait_until_waiting(self.process)

    def run(self, payload):
        """Sends the payload and reads frames up to the exit record, leaving stdin open as a worker does."""
        self.process.stdin.write(payload)
        self.process.stdin.flush()
        stream, deadline = b"", time.monotonic() + RUN_TIMEOUT_S
        while True:
            frames = decode_frames(stream) if complete(stream) else []
            if frames and frames[-1][0] == "X":
                return frames
            if time.monotonic() > deadline:
                raise AssertionError("no exit record in time; got %r" % stream[:200])
            chunk = os.read(self.process.stdout.fileno(), 1 << 20)
            if not chunk:
                raise AssertionError("the runner ended before its exit record; got %r" % stream[:200])
            stream += chunk

    def release(self):
        """Closes stdin, as removing the container does; returns the runner's exit status."""
        self.process.stdin.close()
        status = self.process.wait(timeout=RUN_TIMEOUT_S)
        self.process.stdout.close()
        self.process.stderr.close()
        shutil.rmtree(self.workdir, ignore_errors=True)
        return status


def complete(stream):
    """True when `stream` ends on a frame boundary."""
    offset = 0
    while offset + 5 <= len(stream):
        offset += 5 + int.from_bytes(stream[offset + 1 : offset + 5], "big")
    return offset == len(stream)


class PrestartedJobTest(unittest.TestCase):
    def setUp(self):
        self.runner = PrestartedRunner()
        self.addCleanup(lambda: self.runner.process.poll() is None and self.runner.release())

    def test_a_job_given_to_a_waiting_runner_gets_its_stdin_args_files_and_main_py(self):
        code = "import os, sys\nprint(input(), sys.argv[1:], os.path.basename(__file__), open('in/a.txt').read())\nsys.exit(3)"
        frames = self.runner.run(job_payload(code, stdin=b"hello\n", args=["x", "y z"], files=[("in/a.txt", b"data")]))
        kinds = [kind for kind, _ in frames]
        self.assertEqual(kinds[:2], ["R", "A"])
        stdout = b"".join(body for kind, body in frames if kind == "O")
        self.assertEqual(stdout, b"hello ['x', 'y z'] main.py data\n")
        self.assertEqual(json.loads(frames[-1][1])["exitCode"], 3)

    def test_the_job_starts_with_only_its_standard_descriptors_and_the_display_channel(self):
        frames = self.runner.run(job_payload("import os\nprint(sorted(int(fd) for fd in os.listdir('/proc/self/fd')))"))
        stdout = b"".join(body for kind, body in frames if kind == "O")
        # 0-3, and the one listdir itself opens: the descriptor the job's program came on is closed.
        self.assertEqual(len(json.loads(stdout)), 5, stdout)
        self.assertEqual(json.loads(stdout)[:4], [0, 1, 2, 3])

    def test_the_runner_stays_up_after_its_exit_record_until_stdin_closes(self):
        frames = self.runner.run(job_payload("print('done')"))
        self.assertEqual(frames[-1][0], "X")
        time.sleep(0.2)  # not a timing assertion: only a chance for a runner that would end on its own to do so
        self.assertIsNone(self.runner.process.poll(), "the runner ended before it was let go")
        # The job's processes are gone already: only the namespace's init and the runner are left.
        self.assertEqual(len(descendants(self.runner.process.pid)), WAITING_PROCESSES - 1)
        self.assertEqual(self.runner.release(), 0)

    def test_a_broken_payload_ends_with_an_error_record_and_leaves_no_process(self):
        frames = self.runner.run(encode_payload({"code": "print(1)", "files": [{"path": "../x", "data": ""}]}))
        self.assertIn("error", json.loads(frames[-1][1]))
        # The job's process was discarded before the record was sent: at most init and the runner are left.
        self.assertLessEqual(len(descendants(self.runner.process.pid)), WAITING_PROCESSES - 1)


class PrestartedSessionTest(unittest.TestCase):
    def test_a_session_given_to_a_waiting_runner_discards_the_job_process_and_serves_cells(self):
        session = Session(before_payload=wait_until_waiting)
        self.addCleanup(session.close)
        self.assertEqual([kind for kind, _ in session.opening], ["R", "A"])
        self.assertEqual(session.cell("x = 41").record["exitCode"], 0)
        self.assertEqual(session.cell("x + 1").value, {"text/plain": "42"})


if __name__ == "__main__":
    unittest.main()
