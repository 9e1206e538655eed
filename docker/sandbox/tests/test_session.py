"""Unit tests of the runner's session mode, with no Docker: runner.py runs on
this host through local_runner.py, as in test_runner.py, and is driven over a
pipe as the worker drives a session's container: a session payload, then cells
and file operations, one length-prefixed JSON message each, frames out.

    python3 -m unittest discover -s docker/sandbox/tests
"""
import base64
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unittest

from test_runner import FAKE_PYPLOT, LOCAL_RUNNER, MiB, RUN_TIMEOUT_S, encode_payload

CELL_FRAMES = {"O", "E", "D", "V", "C"}


class Cell:
    """What the runner sent back for one cell."""

    def __init__(self, frames):
        self.frames = frames
        self.kinds = [kind for kind, _ in frames]
        self.stdout = b"".join(body for kind, body in frames if kind == "O")
        self.stderr = b"".join(body for kind, body in frames if kind == "E")
        self.displays = [json.loads(body) for kind, body in frames if kind == "D"]
        values = [json.loads(body) for kind, body in frames if kind == "V"]
        self.value = values[-1] if values else None
        self.record = json.loads(frames[-1][1]) if frames and frames[-1][0] == "C" else None


class Session:
    """A runner in session mode, as a worker holds one: a conversation over its stdin and stdout."""

    def __init__(self, files=(), before_payload=None):
        self.workdir = tempfile.mkdtemp(prefix="sps-session-test-")
        self.process = subprocess.Popen(
            [sys.executable, LOCAL_RUNNER, self.workdir], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        if before_payload:
            before_payload(self.process)
        self.buffer = b""
        self.count = 0
        self.send({"session": True, "files": [{"path": path, "data": base64.b64encode(data).decode()} for path, data in files]})
        self.opening = self.read_until({"A", "X"})

    def send(self, message):
        self.process.stdin.write(encode_payload(message))
        self.process.stdin.flush()

    def read_until(self, kinds):
        """Frames up to and including the first of `kinds`; a hang or a stream that ends first fails the test."""
        frames, deadline = [], time.monotonic() + RUN_TIMEOUT_S
        while True:
            while len(self.buffer) >= 5:
                kind, length = chr(self.buffer[0]), struct.unpack(">I", self.buffer[1:5])[0]
                if len(self.buffer) < 5 + length:
                    break
                frames.append((kind, self.buffer[5 : 5 + length]))
                self.buffer = self.buffer[5 + length :]
                if kind in kinds:
                    return frames
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.process.stdout], [], [], remaining)[0]:
                raise AssertionError("no %s frame in time; got %r" % (sorted(kinds), frames))
            data = os.read(self.process.stdout.fileno(), 1 << 20)
            if not data:
                raise AssertionError("the runner ended before a %s frame; got %r; stderr %r" % (sorted(kinds), frames, self.process.stderr.read()))
            self.buffer += data

    def cell(self, code, stdin=b"", timeout_ms=20000, output_bytes=MiB, max_displays=10):
        self.count += 1
        self.send_cell(code, "cell-%d" % self.count, stdin, timeout_ms, output_bytes, max_displays)
        return Cell(self.read_until({"C"}))

    def send_cell(self, code, cell_id, stdin=b"", timeout_ms=20000, output_bytes=MiB, max_displays=10):
        self.send(
            {
                "op": "cell",
                "id": cell_id,
                "code": code,
                "stdin": base64.b64encode(stdin).decode(),
                "timeoutMs": timeout_ms,
                "outputBytes": output_bytes,
                "maxDisplays": max_displays,
            }
        )

    def operation(self, op, **fields):
        self.count += 1
        request_id = "op-%d" % self.count
        self.send(dict(fields, op=op, id=request_id))
        kind, body = self.read_until({"Q"})[-1]
        (length,) = struct.unpack(">I", body[:4])
        header = json.loads(body[4 : 4 + length])
        self.assertion(header["id"] == request_id, header)
        return header, body[4 + length :]

    @staticmethod
    def assertion(ok, detail):
        if not ok:
            raise AssertionError(detail)

    def close(self):
        try:
            self.process.stdin.close()
        except BrokenPipeError:
            pass
        self.process.wait(timeout=RUN_TIMEOUT_S)
        self.process.stdout.close()
        self.process.stderr.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


class SessionTestCase(unittest.TestCase):
    files = ()

    def setUp(self):
        self.session = Session(self.files)
        self.addCleanup(self.session.close)
        self.assertEqual([kind for kind, _ in self.session.opening], ["R", "A"])


class StateTest(SessionTestCase):
    files = (("data/in.csv", b"a,b\n1,2\n"),)

    def test_globals_imports_functions_the_working_directory_and_files_stay_between_cells(self):
        session = self.session
        first = session.cell("import os, json\nx = 41\ndef twice(v):\n    return 2 * v\nos.mkdir('out')\nos.chdir('out')\nopen('note.txt', 'w').write('kept')")
        self.assertEqual(first.record["exitCode"], 0)
        second = session.cell("x += 1\nprint(json.dumps([twice(x), os.path.basename(os.getcwd()), open('note.txt').read(), open('../data/in.csv').read()]))")
        self.assertEqual(json.loads(second.stdout), [84, "out", "kept", "a,b\n1,2\n"])

    def test_each_cell_ends_with_one_record_after_its_output(self):
        cell = self.session.cell("import sys\nprint('out')\nsys.stderr.write('err\\n')")
        self.assertEqual(cell.kinds[-1], "C")
        self.assertEqual(cell.kinds.count("C"), 1)
        self.assertTrue(set(cell.kinds) <= CELL_FRAMES)
        self.assertEqual((cell.stdout, cell.stderr), (b"out\n", b"err\n"))
        record = cell.record
        self.assertEqual(record["id"], "cell-1")
        self.assertEqual((record["exitCode"], record["signal"], record["timedOut"], record["kernelDied"]), (0, None, False, False))
        for count in ("wallMs", "cpuMs", "peakMemoryBytes", "memoryBytes"):
            self.assertIsInstance(record[count], int, count)

    def test_each_cell_gets_its_own_stdin_and_so_do_its_subprocesses(self):
        first = self.session.cell("print(input())", stdin=b"first line\n")
        self.assertEqual(first.stdout, b"first line\n")
        second = self.session.cell(
            "import subprocess, sys\nsys.stdout.flush()\nsubprocess.run(['cat'])", stdin=b"to the child\n"
        )
        self.assertEqual(second.stdout, b"to the child\n")
        third = self.session.cell("import sys\nprint(repr(sys.stdin.read()))")
        self.assertEqual(third.stdout, b"''\n")

    def test_cells_sent_together_run_one_after_the_other_in_order(self):
        session = self.session
        session.send_cell("import time\ntime.sleep(0.3)\norder = ['first']", "a")
        session.send_cell("order.append('second')\norder", "b")
        first = Cell(session.read_until({"C"}))
        second = Cell(session.read_until({"C"}))
        self.assertEqual((first.record["id"], second.record["id"]), ("a", "b"))
        self.assertEqual(second.value, {"text/plain": "['first', 'second']"})


class ValueAndDisplayTest(SessionTestCase):
    files = FAKE_PYPLOT

    def test_the_value_of_a_trailing_expression_is_its_repr(self):
        cell = self.session.cell("x = [1, 'two']\nx")
        self.assertEqual(cell.value, {"text/plain": "[1, 'two']"})
        self.assertEqual(self.session.cell("_ * 2").value, {"text/plain": "[1, 'two', 1, 'two']"})

    def test_an_object_with_repr_html_gives_html_too(self):
        cell = self.session.cell("class Table:\n    def __repr__(self):\n        return 'Table()'\n    def _repr_html_(self):\n        return '<table></table>'\nTable()")
        self.assertEqual(cell.value, {"text/plain": "Table()", "text/html": "<table></table>"})

    def test_no_value_for_none_an_assignment_a_trailing_semicolon_or_a_failure(self):
        for code in ("None", "y = 3", "1 + 1;", "print('p')", "1 / 0"):
            self.assertIsNone(self.session.cell(code).value, code)

    def test_display_and_open_figures_come_back_in_order_and_figures_are_closed(self):
        code = (
            "import matplotlib.pyplot as plt\n"
            "print('one', flush=True)\n"
            "display('shown')\n"
            "plt.draw(1, b'figure one')\n"
            "'value'"
        )
        cell = self.session.cell(code)
        self.assertEqual(cell.displays, [{"mime": "text/plain", "data": "'shown'"}, {"mime": "image/png", "data": base64.b64encode(b"figure one").decode()}])
        self.assertEqual(cell.value, {"text/plain": "'value'"})
        self.assertEqual(cell.kinds.index("O") < cell.kinds.index("D"), True)
        self.assertEqual(self.session.cell("plt.get_fignums()").value, {"text/plain": "[]"})

    def test_a_cells_displays_are_capped_in_count_and_size_and_the_record_says_so(self):
        cell = self.session.cell("for i in range(4):\n    display(i)\n'v' * 100", max_displays=2, output_bytes=200)
        self.assertEqual([d["data"] for d in cell.displays], ["0", "1"])
        self.assertEqual(cell.value, {"text/plain": repr("v" * 100)})
        self.assertTrue(cell.record["displaysTruncated"])
        # A value's text is cut at the cap; it shares the cap with the displays.
        long_value = self.session.cell("'w' * 1000", output_bytes=200)
        self.assertEqual(long_value.value, {"text/plain": repr("w" * 1000)[:200]})
        crowded = self.session.cell("display('x' * 150)\n'w' * 1000", output_bytes=200)
        self.assertEqual((len(crowded.displays), crowded.value, crowded.record["displaysTruncated"]), (1, None, True))
        # The next cell has a budget of its own.
        self.assertFalse(self.session.cell("display(1)").record["displaysTruncated"])


class FailureTest(SessionTestCase):
    def test_an_exception_is_a_traceback_from_the_cell_and_the_session_goes_on(self):
        cell = self.session.cell("def f():\n    raise ValueError('boom')\nf()")
        self.assertEqual(cell.record["exitCode"], 1)
        self.assertIn(b'File "<cell 1>", line 2, in f', cell.stderr)
        self.assertIn(b"ValueError: boom", cell.stderr)
        self.assertNotIn(b"runner.py", cell.stderr)
        self.assertEqual(self.session.cell("1 + 1").value, {"text/plain": "2"})

    def test_a_syntax_error_points_into_the_cell(self):
        cell = self.session.cell("x = (")
        self.assertEqual(cell.record["exitCode"], 1)
        self.assertIn(b'File "<cell 1>", line 1', cell.stderr)
        self.assertIn(b"SyntaxError", cell.stderr)
        self.assertNotIn(b"runner.py", cell.stderr)

    def test_sys_exit_ends_the_cell_with_its_status_not_the_session(self):
        self.assertEqual(self.session.cell("import sys\nsys.exit(3)").record["exitCode"], 3)
        self.assertEqual(self.session.cell("raise SystemExit").record["exitCode"], 0)
        self.assertFalse(self.session.cell("pass").record["kernelDied"])

    def test_a_cell_past_its_time_limit_is_interrupted_and_the_state_stays(self):
        session = self.session
        session.cell("kept = 'yes'")
        cell = session.cell("import time\nwhile True:\n    time.sleep(0.01)", timeout_ms=300)
        self.assertEqual((cell.record["timedOut"], cell.record["signal"], cell.record["kernelDied"]), (True, "SIGINT", False))
        self.assertTrue(cell.stderr.endswith(b"KeyboardInterrupt\n"), cell.stderr)
        self.assertNotIn(b"runner.py", cell.stderr)
        self.assertEqual(session.cell("kept").value, {"text/plain": "'yes'"})

    def test_a_cell_that_ignores_the_interrupt_is_killed_and_the_session_ends(self):
        session = self.session
        cell = session.cell("import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(60)", timeout_ms=300)
        self.assertEqual((cell.record["timedOut"], cell.record["signal"], cell.record["kernelDied"]), (True, "SIGKILL", True))
        kind, body = session.read_until({"X"})[-1]
        self.assertEqual(json.loads(body)["signal"], "SIGKILL")
        self.assertEqual(session.process.wait(timeout=RUN_TIMEOUT_S), 0)

    def test_an_interpreter_that_exits_ends_the_session_and_says_how(self):
        cell = self.session.cell("import os\nos._exit(3)")
        self.assertEqual((cell.record["exitCode"], cell.record["kernelDied"]), (3, True))
        self.assertEqual(json.loads(self.session.read_until({"X"})[-1][1])["exitCode"], 3)

    def test_a_flood_is_cut_at_the_cap_interrupted_and_the_session_goes_on(self):
        cell = self.session.cell("import sys\nwhile True:\n    sys.stdout.write('x' * 1000)", output_bytes=4096)
        self.assertEqual(cell.stdout, b"x" * 4096)
        self.assertEqual((cell.record["outputLimit"], cell.record["stdoutTruncated"], cell.record["kernelDied"]), (True, True, False))
        self.assertEqual(self.session.cell("print('after')").stdout, b"after\n")

    def test_a_forged_end_of_cell_is_ignored(self):
        code = "import os, json, struct, time\nbody = json.dumps({'t': 'done', 'id': 'someone-else', 'exitCode': 0}).encode()\nos.write(3, struct.pack('>I', len(body)) + body)\ntime.sleep(0.2)\nprint('finished')"
        cell = self.session.cell(code)
        self.assertEqual(cell.stdout, b"finished\n")
        self.assertEqual(cell.kinds.count("C"), 1)

    def test_the_kernel_holds_no_descriptor_but_its_streams_and_channels(self):
        cell = self.session.cell(
            "import os\nfds = []\nfor fd in range(1024):\n    try:\n        os.fstat(fd)\n        fds.append(fd)\n    except OSError:\n        pass\nfds"
        )
        self.assertEqual(cell.value, {"text/plain": "[0, 1, 2, 3, 4]"})

    def test_closing_stdin_ends_the_runner_and_what_the_cells_left_running(self):
        session = self.session
        session.cell("import subprocess\nchild = subprocess.Popen(['sleep', '600'])\nchild.pid")
        session.process.stdin.close()
        self.assertEqual(session.process.wait(timeout=RUN_TIMEOUT_S), 0)


class FileOperationTest(SessionTestCase):
    def test_a_file_is_put_listed_and_got_back_byte_for_byte(self):
        session = self.session
        content = bytes(range(256)) * 4
        header, _ = session.operation("put", path="deep/er/data.bin", data=base64.b64encode(content).decode())
        self.assertEqual(header, {"id": header["id"], "ok": True, "size": len(content)})
        self.assertEqual(session.cell("len(open('deep/er/data.bin', 'rb').read())").value, {"text/plain": "1024"})
        session.cell("open('made.txt', 'w').write('by a cell')")
        header, _ = session.operation("list", maxEntries=100)
        self.assertEqual(header["files"], [{"path": "deep/er/data.bin", "size": 1024}, {"path": "made.txt", "size": 9}])
        self.assertFalse(header["truncated"])
        header, got = session.operation("get", path="deep/er/data.bin", maxBytes=MiB)
        self.assertEqual((header["ok"], header["size"], got), (True, 1024, content))

    def test_a_put_replaces_a_file_whole(self):
        session = self.session
        session.operation("put", path="f.txt", data=base64.b64encode(b"a long first version").decode())
        session.operation("put", path="f.txt", data=base64.b64encode(b"short").decode())
        self.assertEqual(session.operation("get", path="f.txt", maxBytes=100)[1], b"short")

    def test_links_are_never_followed_nor_served_nor_written_through(self):
        session = self.session
        session.cell("import os\nopen('real.txt', 'w').write('real')\nos.symlink('real.txt', 'alias')\nos.symlink('/etc', 'etc')\nos.symlink('/tmp', 'tmpdir')")
        for path in ("alias", "etc/passwd", "etc"):
            header, content = session.operation("get", path=path, maxBytes=MiB)
            self.assertEqual((header["ok"], header["error"], content), (False, "link", b""), path)
        for path in ("alias", "tmpdir/planted.txt"):
            header, _ = session.operation("put", path=path, data=base64.b64encode(b"x").decode())
            self.assertEqual((header["ok"], header["error"]), (False, "link"), path)
        self.assertEqual(session.cell("import os\n(open('real.txt').read(), os.path.exists('/tmp/planted.txt'))").value, {"text/plain": "('real', False)"})
        listed = session.operation("list", maxEntries=100)[0]["files"]
        self.assertEqual(listed, [{"path": "real.txt", "size": 4}])

    def test_what_is_not_a_regular_file_is_refused_without_blocking(self):
        session = self.session
        session.cell("import os\nos.mkfifo('pipe')\nos.mkdir('folder')")
        for op, path in (("get", "pipe"), ("get", "folder"), ("put", "pipe"), ("put", "folder")):
            header, _ = session.operation(op, path=path, maxBytes=10, data="")
            self.assertEqual((header["ok"], header["error"]), (False, "not-regular"), (op, path))

    def test_a_missing_file_a_file_over_the_cap_and_a_bad_path_are_refused_by_name(self):
        session = self.session
        session.operation("put", path="big.bin", data=base64.b64encode(b"x" * 100).decode())
        cases = (("get", "nothing-here", "missing"), ("get", "big.bin", "too-large"), ("get", "../escape", "invalid"), ("put", "/abs", "invalid"))
        for op, path, error in cases:
            header, _ = session.operation(op, path=path, maxBytes=10, data="")
            self.assertEqual((header["ok"], header["error"]), (False, error), path)

    def test_file_operations_are_answered_while_a_cell_runs(self):
        session = self.session
        session.send_cell("import os, time\nwhile not os.path.exists('go'):\n    time.sleep(0.01)\nprint(open('go').read())", "waiting")
        header, _ = session.operation("put", path="go", data=base64.b64encode(b"put meanwhile").decode())
        self.assertTrue(header["ok"])
        cell = Cell(session.read_until({"C"}))
        self.assertEqual(cell.stdout, b"put meanwhile\n")

    def test_the_listing_is_capped(self):
        session = self.session
        session.cell("for i in range(5):\n    open('f%d' % i, 'w').write('')")
        header, _ = session.operation("list", maxEntries=3)
        self.assertEqual((len(header["files"]), header["truncated"]), (3, True))


class StartTest(unittest.TestCase):
    def test_a_bad_input_path_fails_the_start_with_an_error_record(self):
        session = Session(files=(("../escape", b"x"),))
        self.addCleanup(session.close)
        self.assertEqual([kind for kind, _ in session.opening], ["R", "X"])
        self.assertRegex(json.loads(session.opening[-1][1])["error"], r"^runner could not read its payload: ")


if __name__ == "__main__":
    unittest.main()


class StdinWithoutMemfdTest(unittest.TestCase):
    """A cell's stdin where memfd_create is refused, as the sandbox's seccomp profile refuses it: never used."""

    def test_spools_stdin_through_a_temporary_file(self):
        runner_dir = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        program = (
            "import os, sys\n"
            "sys.path.insert(0, %r)\n"
            "import runner\n"
            "def refused(*_):\n"
            "    raise PermissionError(1, 'Operation not permitted')\n"
            "os.memfd_create = refused\n"
            "runner.use_stdin(b'line one\\nline two\\n')\n"
            "print(repr(sys.stdin.readline()))\n"
            "os.lseek(0, 0, os.SEEK_SET)\n"
            "print(repr(os.read(0, 100)))\n" % runner_dir
        )
        done = subprocess.run([sys.executable, "-I", "-c", program], capture_output=True, timeout=RUN_TIMEOUT_S)
        self.assertEqual(done.returncode, 0, done.stderr.decode())
        self.assertEqual(done.stdout.decode().splitlines(), ["'line one\\n'", "b'line one\\nline two\\n'"])
