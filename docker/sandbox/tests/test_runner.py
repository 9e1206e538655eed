"""Unit tests of the in-container runner, with no Docker: runner.py runs on this
host through local_runner.py (in a PID namespace of its own, as the sandbox
uid) and is driven over a pipe exactly as the worker drives it: one
length-prefixed JSON payload in, frames out.

    python3 -m unittest discover -s docker/sandbox/tests
"""
import base64
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

LOCAL_RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "local_runner.py")
FRAME_TYPES = set(b"RAOEDFXVCQ")
MiB = 1024 * 1024
# A hang is a failure too; no test depends on how long anything takes.
RUN_TIMEOUT_S = 60


def encode_payload(payload):
    body = json.dumps(payload).encode()
    return struct.pack(">I", len(body)) + body


def decode_frames(stream):
    """Splits the runner's stdout into (type, body) frames; anything that is not a whole frame fails the test."""
    frames, offset = [], 0
    while offset < len(stream):
        if len(stream) - offset < 5:
            raise AssertionError("the stream ends inside a frame header: %r" % stream[offset:])
        kind, length = stream[offset], struct.unpack(">I", stream[offset + 1 : offset + 5])[0]
        if kind not in FRAME_TYPES:
            raise AssertionError("unknown frame type %r at byte %d" % (bytes([kind]), offset))
        body = stream[offset + 5 : offset + 5 + length]
        if len(body) != length:
            raise AssertionError("the stream ends inside a frame body")
        frames.append((chr(kind), body))
        offset += 5 + length
    return frames


class Run:
    """What the runner sent back for one job."""

    def __init__(self, frames, workdir_listing, runner_stderr):
        self.frames = frames
        self.kinds = [kind for kind, _ in frames]
        self.stdout = b"".join(body for kind, body in frames if kind == "O")
        self.stderr = b"".join(body for kind, body in frames if kind == "E")
        self.files = {}
        for kind, body in frames:
            if kind == "F":
                (name_length,) = struct.unpack(">H", body[:2])
                self.files[body[2 : 2 + name_length]] = body[2 + name_length :]
        self.displays = [json.loads(body) for kind, body in frames if kind == "D"]
        exits = [body for kind, body in frames if kind == "X"]
        self.exit = json.loads(exits[-1]) if exits else None
        self.workdir_listing = workdir_listing
        self.runner_stderr = runner_stderr


def run_job(code, stdin=b"", args=(), files=(), timeout_ms=20000, output_bytes=MiB, max_files=100, max_file_bytes=8 * MiB, max_total=16 * MiB, max_displays=10, raw_payload=None):
    workdir = tempfile.mkdtemp(prefix="sps-runner-test-")
    try:
        payload = raw_payload
        if payload is None:
            payload = encode_payload(
                {
                    "code": code,
                    "stdin": base64.b64encode(stdin).decode(),
                    "args": list(args),
                    "files": [{"path": path, "data": base64.b64encode(data).decode()} for path, data in files],
                    "timeoutMs": timeout_ms,
                    "outputBytes": output_bytes,
                    "maxFiles": max_files,
                    "maxFileBytes": max_file_bytes,
                    "maxTotalFileBytes": max_total,
                    "maxDisplays": max_displays,
                }
            )
        done = subprocess.run([sys.executable, LOCAL_RUNNER, workdir], input=payload, capture_output=True, timeout=RUN_TIMEOUT_S)
        listing = sorted(os.listdir(workdir))
        return Run(decode_frames(done.stdout), listing, done.stderr)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


class FrameTest(unittest.TestCase):
    def test_a_job_is_ready_accepted_relayed_then_closed_by_one_exit_record(self):
        run = run_job("import sys\nprint('out')\nsys.stderr.write('err\\n')")
        self.assertEqual(run.kinds[:2], ["R", "A"])
        self.assertEqual(run.kinds[-1], "X")
        self.assertEqual(run.kinds.count("X"), 1)
        self.assertTrue(set(run.kinds[2:-1]) <= {"O", "E", "F"})
        self.assertEqual((run.stdout, run.stderr), (b"out\n", b"err\n"))

    def test_output_is_relayed_byte_for_byte_even_when_it_is_not_utf8(self):
        run = run_job("import sys\nsys.stdout.buffer.write(b'\\xff\\x00ok')\nsys.stderr.buffer.write(b'\\xfe')")
        self.assertEqual(run.stdout, b"\xff\x00ok")
        self.assertEqual(run.stderr, b"\xfe")

    def test_the_program_gets_its_stdin_args_and_a_real_main_py(self):
        code = "import os, sys\nprint(input(), sys.argv[1:], os.path.basename(__file__), os.path.basename(os.getcwd()) == os.path.basename(os.path.dirname(__file__)))"
        run = run_job(code, stdin=b"hello\n", args=["a", "b c"])
        self.assertEqual(run.stdout, b"hello ['a', 'b c'] main.py True\n")

    def test_input_files_are_written_beside_main_py(self):
        run = run_job("print(open('data/in.csv').read(), end='')", files=[("data/in.csv", b"a,b\n1,2\n")])
        self.assertEqual(run.stdout, b"a,b\n1,2\n")
        self.assertEqual(run.exit["exitCode"], 0)

    def test_a_payload_that_is_not_json_ends_with_an_error_record_and_runs_nothing(self):
        run = run_job(None, raw_payload=struct.pack(">I", 5) + b"{nope")
        self.assertEqual(run.kinds, ["R", "X"])
        self.assertRegex(run.exit["error"], r"^runner could not read its payload: ")

    def test_an_input_path_that_leaves_the_working_directory_is_refused_before_anything_runs(self):
        run = run_job("print('ran')", files=[("../escape", b"x")])
        self.assertEqual(run.kinds, ["R", "A", "X"])
        self.assertIn("error", run.exit)
        self.assertEqual(run.stdout, b"")


class ExitRecordTest(unittest.TestCase):
    FIELDS = {
        "exitCode",
        "signal",
        "timedOut",
        "outputLimit",
        "stdoutTruncated",
        "stderrTruncated",
        "oomKilled",
        "filesTruncated",
        "displaysTruncated",
        "wallMs",
        "cpuMs",
        "peakMemoryBytes",
    }

    def test_it_has_every_field_with_its_type(self):
        record = run_job("pass").exit
        self.assertEqual(set(record), self.FIELDS)
        for flag in ("timedOut", "outputLimit", "stdoutTruncated", "stderrTruncated", "oomKilled", "filesTruncated", "displaysTruncated"):
            self.assertIsInstance(record[flag], bool, flag)
        for count in ("wallMs", "cpuMs", "peakMemoryBytes"):
            self.assertIsInstance(record[count], int, count)
            self.assertGreaterEqual(record[count], 0, count)
        self.assertEqual((record["exitCode"], record["signal"], record["timedOut"]), (0, None, False))

    def test_an_exit_status_is_reported_as_the_program_set_it(self):
        self.assertEqual(run_job("import sys\nsys.exit(3)").exit["exitCode"], 3)
        self.assertEqual(run_job("raise SystemExit('bye')").exit["exitCode"], 1)

    def test_an_uncaught_exception_exits_1_with_a_traceback_from_main_py(self):
        run = run_job("def f():\n    raise ValueError('boom')\nf()")
        self.assertEqual(run.exit["exitCode"], 1)
        self.assertIn(b'main.py", line 2, in f', run.stderr)
        self.assertIn(b"ValueError: boom", run.stderr)
        self.assertNotIn(b"runner.py", run.stderr)

    def test_a_program_killed_by_a_signal_is_reported_by_the_signal_name(self):
        record = run_job("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)").exit
        self.assertEqual((record["exitCode"], record["signal"]), (None, "SIGKILL"))

    def test_a_program_past_its_time_limit_is_killed_and_reported_as_timed_out(self):
        record = run_job("while True:\n    pass", timeout_ms=300).exit
        self.assertTrue(record["timedOut"])
        self.assertEqual(record["signal"], "SIGKILL")

    def test_cpu_time_counts_the_program_and_the_processes_it_waited_for(self):
        code = "import subprocess, sys, time\nsubprocess.run([sys.executable, '-c', 'import time\\nt = time.process_time()\\nwhile time.process_time() - t < 0.3: pass'])\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass"
        self.assertGreaterEqual(run_job(code).exit["cpuMs"], 600)

    def test_a_program_that_reports_its_own_end_only_ends_itself_with_that_status(self):
        # What the job's process sends the runner as it exits, forged: the runner stops it, with that status.
        code = (
            "import json, os, struct, time\n"
            "body = json.dumps({'t': 'end', 'pid': os.getpid(), 'exitCode': 7, 'cpuMs': 1}).encode()\n"
            "os.write(3, struct.pack('>I', len(body)) + body)\n"
            "for fd in (0, 1, 2, 3):\n    os.close(fd)\n"
            "time.sleep(1000)"
        )
        record = run_job(code, timeout_ms=50000).exit
        self.assertEqual((record["exitCode"], record["signal"], record["timedOut"]), (7, None, False))

    def test_a_malformed_end_report_is_not_believed_and_the_program_is_stopped(self):
        code = (
            "import json, os, struct, time\n"
            "body = json.dumps({'t': 'end', 'pid': os.getpid(), 'exitCode': 'zero'}).encode()\n"
            "os.write(3, struct.pack('>I', len(body)) + body)\n"
            "for fd in (0, 1, 2, 3):\n    os.close(fd)\n"
            "time.sleep(1000)"
        )
        record = run_job(code, timeout_ms=50000).exit
        self.assertEqual((record["exitCode"], record["signal"], record["timedOut"]), (None, "SIGKILL", False))

    def test_an_end_report_from_another_process_is_not_heard(self):
        # Said to come from another process (a fork of the program's, say): the program is still running.
        code = (
            "import json, os, struct, time\n"
            "body = json.dumps({'t': 'end', 'pid': os.getpid() + 1, 'exitCode': 7, 'cpuMs': 1}).encode()\n"
            "os.write(3, struct.pack('>I', len(body)) + body)\n"
            "for fd in (0, 1, 2, 3):\n    os.close(fd)\n"
            "time.sleep(1000)"
        )
        record = run_job(code, timeout_ms=1000).exit
        self.assertEqual((record["exitCode"], record["timedOut"]), (None, True))

    def test_processes_left_behind_by_the_program_do_not_keep_the_job_alive(self):
        # The child holds stdout open forever: only killing it lets the job end before the time limit.
        code = "import os, time\nif os.fork() == 0:\n    time.sleep(1000)\nprint('main done', flush=True)"
        run = run_job(code, timeout_ms=20000)
        self.assertEqual(run.stdout, b"main done\n")
        self.assertFalse(run.exit["timedOut"])
        self.assertEqual(run.exit["exitCode"], 0)


class FileCollectionTest(unittest.TestCase):
    def test_new_and_changed_files_come_back_and_unchanged_inputs_and_main_py_do_not(self):
        code = "open('out.txt', 'w').write('new')\nopen('changed.txt', 'a').write('+')\nimport os\nos.makedirs('deep/er')\nopen('deep/er/x.bin', 'wb').write(b'\\x00\\x01')"
        run = run_job(code, files=[("same.txt", b"keep"), ("changed.txt", b"old")])
        self.assertEqual(run.files, {b"out.txt": b"new", b"changed.txt": b"old+", b"deep/er/x.bin": b"\x00\x01"})
        self.assertFalse(run.exit["filesTruncated"])

    def test_main_py_comes_back_when_the_program_changed_it(self):
        run = run_job("open(__file__, 'a').write('# edited\\n')")
        self.assertEqual(list(run.files), [b"main.py"])
        self.assertTrue(run.files[b"main.py"].endswith(b"# edited\n"))

    def test_links_are_never_followed_nor_returned(self):
        code = (
            "import os\n"
            "open('real.txt', 'w').write('real')\n"
            "os.symlink('/etc/passwd', 'passwd')\n"
            "os.symlink('real.txt', 'alias.txt')\n"
            "os.symlink('/etc', 'etc')\n"
            "os.link('real.txt', 'hard.txt')\n"
        )
        run = run_job(code)
        self.assertEqual(set(run.files), {b"real.txt", b"hard.txt"})
        self.assertTrue(all(b"root:" not in content for content in run.files.values()))
        self.assertIn("passwd", run.workdir_listing)

    def test_a_fifo_is_skipped_without_blocking_the_collection(self):
        run = run_job("import os\nos.mkfifo('pipe')\nopen('after.txt', 'w').write('ok')")
        self.assertEqual(run.files, {b"after.txt": b"ok"})
        self.assertIn("pipe", run.workdir_listing)
        self.assertEqual(run.kinds[-1], "X")

    def test_a_sparse_file_larger_than_the_cap_is_left_out_unread(self):
        code = "with open('sparse.bin', 'wb') as f:\n    f.truncate(64 * 1024 ** 3)\nopen('small.txt', 'w').write('s')"
        run = run_job(code, max_file_bytes=MiB)
        self.assertEqual(run.files, {b"small.txt": b"s"})
        self.assertTrue(run.exit["filesTruncated"])

    def test_a_sparse_file_within_the_cap_comes_back_whole(self):
        run = run_job("with open('holes.bin', 'wb') as f:\n    f.seek(1000)\n    f.write(b'!')")
        self.assertEqual(run.files[b"holes.bin"], b"\x00" * 1000 + b"!")

    def test_the_file_count_cap_and_the_total_cap_are_kept_and_reported(self):
        code = "for name in 'abc':\n    open(name, 'w').write(name * 10)"
        by_count = run_job(code, max_files=2)
        self.assertEqual(len(by_count.files), 2)
        self.assertTrue(by_count.exit["filesTruncated"])
        by_total = run_job(code, max_total=25)
        self.assertEqual(sum(map(len, by_total.files.values())), 20)
        self.assertTrue(by_total.exit["filesTruncated"])

    def test_directories_nested_past_the_depth_limit_are_reported_not_walked(self):
        code = "import os\npath = '/'.join(['d'] * 40)\nos.makedirs(path)\nopen(path + '/deep.txt', 'w').write('x')\nopen('top.txt', 'w').write('t')"
        run = run_job(code)
        self.assertEqual(run.files, {b"top.txt": b"t"})
        self.assertTrue(run.exit["filesTruncated"])

    def test_a_name_that_is_not_utf8_comes_back_as_its_bytes(self):
        run = run_job("open(b'caf\\xe9.txt', 'w').write('x')")
        self.assertEqual(run.files, {b"caf\xe9.txt": b"x"})


class OutputCapTest(unittest.TestCase):
    def test_stdout_past_the_cap_is_cut_at_the_cap_and_the_program_is_killed(self):
        run = run_job("import sys\nwhile True:\n    sys.stdout.write('x' * 1000)", output_bytes=4096)
        self.assertEqual(run.stdout, b"x" * 4096)
        self.assertTrue(run.exit["stdoutTruncated"])
        self.assertTrue(run.exit["outputLimit"])
        self.assertFalse(run.exit["stderrTruncated"])
        self.assertEqual(run.exit["signal"], "SIGKILL")

    def test_stderr_has_its_own_cap(self):
        run = run_job("import sys\nprint('fine')\nsys.stderr.write('e' * 5000)", output_bytes=2048)
        self.assertEqual(run.stdout, b"fine\n")
        self.assertEqual(run.stderr, b"e" * 2048)
        self.assertTrue(run.exit["stderrTruncated"])
        self.assertFalse(run.exit["stdoutTruncated"])

    def test_output_exactly_at_the_cap_is_whole_and_not_truncated(self):
        run = run_job("import sys\nsys.stdout.write('y' * 1000)", output_bytes=1000)
        self.assertEqual(run.stdout, b"y" * 1000)
        self.assertFalse(run.exit["outputLimit"])
        self.assertEqual(run.exit["exitCode"], 0)


# A test double of the part of matplotlib.pyplot the runner uses (get_fignums, figure, savefig, close), as
# input files: the real one is not on this host. The datascience environment's end-to-end tests use the real one.
FAKE_PYPLOT = (
    ("matplotlib/__init__.py", b""),
    (
        "matplotlib/pyplot.py",
        b"_open = {}\n"
        b"class Figure:\n"
        b"    def __init__(self, data):\n"
        b"        self.data = data\n"
        b"    def savefig(self, buffer, format):\n"
        b"        assert format == 'png'\n"
        b"        buffer.write(self.data)\n"
        b"def draw(number, data):\n"
        b"    _open[number] = Figure(data)\n"
        b"def get_fignums():\n"
        b"    return sorted(_open)\n"
        b"def figure(number):\n"
        b"    return _open[number]\n"
        b"def close(which):\n"
        b"    assert which == 'all'\n"
        b"    _open.clear()\n",
    ),
)


class DisplayTest(unittest.TestCase):
    def test_display_sends_each_object_in_order_with_its_richest_form(self):
        code = (
            "class Page:\n"
            "    def _repr_html_(self):\n"
            "        return '<b>page</b>'\n"
            "class Picture:\n"
            "    def _repr_png_(self):\n"
            "        return b'\\x89PNG-ish'\n"
            "print('before', flush=True)\n"
            "display(Page(), Picture(), {'k': 1})\n"
        )
        run = run_job(code)
        self.assertEqual(
            run.displays,
            [
                {"mime": "text/html", "data": "<b>page</b>"},
                {"mime": "image/png", "data": base64.b64encode(b"\x89PNG-ish").decode()},
                {"mime": "text/plain", "data": "{'k': 1}"},
            ],
        )
        self.assertLess(run.kinds.index("O"), run.kinds.index("D"))
        self.assertFalse(run.exit["displaysTruncated"])

    def test_figures_left_open_when_the_program_ends_come_back_as_pngs_even_after_an_error(self):
        code = "import matplotlib.pyplot as plt\nplt.draw(2, b'second')\nplt.draw(1, b'first')\nraise ValueError('late')"
        run = run_job(code, files=FAKE_PYPLOT)
        self.assertEqual(
            run.displays,
            [{"mime": "image/png", "data": base64.b64encode(data).decode()} for data in (b"first", b"second")],
        )
        self.assertEqual(run.exit["exitCode"], 1)
        self.assertIn(b"ValueError: late", run.stderr)

    def test_displays_past_the_count_or_the_output_cap_are_left_out_and_reported(self):
        by_count = run_job("for i in range(5):\n    display(i)", max_displays=3)
        self.assertEqual([d["data"] for d in by_count.displays], ["0", "1", "2"])
        self.assertTrue(by_count.exit["displaysTruncated"])
        by_size = run_job("display('a' * 600)\ndisplay('b' * 600)\ndisplay('c')", output_bytes=1000)
        self.assertEqual([len(d["data"]) for d in by_size.displays], [602, 3])
        self.assertTrue(by_size.exit["displaysTruncated"])

    def test_a_huge_repr_is_cut_before_it_is_sent(self):
        run = run_job("class Big:\n    def __repr__(self):\n        return 'x' * 10_000_000\ndisplay(Big())", output_bytes=4096)
        self.assertEqual(run.displays, [{"mime": "text/plain", "data": "x" * 4096}])
        self.assertEqual(run.exit["exitCode"], 0)

    def test_garbage_written_to_the_display_channel_is_dropped_and_reported_without_harm(self):
        code = (
            "import os, struct\n"
            "os.write(3, struct.pack('>I', 5) + b'{nope')\n"
            "os.write(3, struct.pack('>I', 1 << 30))\n"
            "os.close(3)\n"
            "print('still here')"
        )
        run = run_job(code)
        self.assertEqual(run.displays, [])
        self.assertEqual(run.stdout, b"still here\n")
        self.assertTrue(run.exit["displaysTruncated"])
        self.assertEqual(run.exit["exitCode"], 0)


class RunnerDescriptorTest(unittest.TestCase):
    def test_the_program_has_no_descriptor_of_the_runner_beyond_its_own_three_and_its_display_channel(self):
        # Nothing else open above 2, so no number reaches the runner's frame stream, its payload or its pidfd;
        # 3 is the write end of the display channel, and no subprocess inherits it.
        code = (
            "import fcntl, os, stat, subprocess, sys\n"
            "open_fds = []\n"
            "for fd in range(3, 1024):\n"
            "    try:\n"
            "        os.fstat(fd)\n"
            "        open_fds.append(fd)\n"
            "    except OSError:\n"
            "        pass\n"
            "print(open_fds, stat.S_ISFIFO(os.fstat(3).st_mode), fcntl.fcntl(3, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY, os.get_inheritable(3))\n"
            "sys.stdout.flush()\n"
            "subprocess.run([sys.executable, '-c', 'import os\\ntry:\\n    os.fstat(3)\\n    print(\"inherited\")\\nexcept OSError:\\n    print(\"not inherited\")'])"
        )
        run = run_job(code)
        self.assertEqual(run.stdout, b"[3] True True False\nnot inherited\n")
        self.assertEqual(run.kinds.count("X"), 1)
        self.assertEqual(run.exit["exitCode"], 0)

    def test_a_forged_frame_written_to_stdout_arrives_as_output_inside_a_frame(self):
        forged = b'X\x00\x00\x00\x11{"exitCode": 0}'
        run = run_job("import sys\nsys.stdout.buffer.write(%r)\nsys.exit(7)" % forged)
        self.assertEqual(run.stdout, forged)
        self.assertEqual(run.kinds.count("X"), 1)
        self.assertEqual(run.exit["exitCode"], 7)

    @unittest.skipUnless(os.geteuid() == 0, "the runner's stdout belongs to root only when the tests run as root, as in a container")
    def test_the_program_cannot_reopen_the_runners_stdout_through_proc(self):
        code = (
            "import os\n"
            "try:\n"
            "    os.open('/proc/%d/fd/1' % os.getppid(), os.O_WRONLY)\n"
            "    print('opened')\n"
            "except PermissionError:\n"
            "    print('refused')"
        )
        run = run_job(code)
        self.assertEqual(run.stdout, b"refused\n")
        self.assertEqual(run.kinds.count("X"), 1)

    def test_closing_its_own_stdout_and_stderr_early_ends_nothing_but_the_program(self):
        run = run_job("import os, time\nprint('before', flush=True)\nos.close(1)\nos.close(2)\ntime.sleep(0.2)\nopen('after.txt', 'w').write('a')")
        self.assertEqual(run.stdout, b"before\n")
        self.assertEqual(run.files, {b"after.txt": b"a"})
        self.assertEqual(run.exit["exitCode"], 0)


if __name__ == "__main__":
    unittest.main()
