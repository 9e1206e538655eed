"""Runs runner.py on this host, for tests, the way a sandbox container runs it.

    python3 local_runner.py WORKDIR

The runner reads its payload from this process's stdin and writes its frames
to this process's stdout, exactly as over a container's attached streams;
its working directory is WORKDIR instead of /sandbox.

The runner ends every job with kill(-1), which reaches every process its uid
may signal. In a container those are the job's own; on a host they could be
anyone's. So the runner never runs here outside a PID namespace of its own:
this script starts itself again under `unshare --pid --fork --mount-proc`
(in a user namespace too when not root), waits there as PID 1 as the
container's init would, and, when it is root, runs the runner as the
sandbox's unprivileged uid.
"""
import os
import subprocess
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
SANDBOX_DIR = os.path.dirname(HERE)
SANDBOX_UID = 10001


def interpreter_for_sandbox_uid():
    """This interpreter, or the system's when the sandbox uid cannot read this one's library (one under /root, say)."""
    for candidate in (sys.executable, "/usr/bin/python3"):
        probe = [candidate, "-I", "-S", "-c", "import base64, selectors"]
        try:
            if subprocess.run(probe, user=SANDBOX_UID, group=SANDBOX_UID, extra_groups=[], capture_output=True).returncode == 0:
                return candidate
        except OSError:
            continue
    raise SystemExit("no python3 that uid %d can run: install Debian's python3" % SANDBOX_UID)


def python_command(python, *args):
    return [python, "-I", "-S", "-B", os.path.abspath(__file__), *args]


def enter_namespace(workdir):
    as_root = os.geteuid() == 0
    command = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"]
    if as_root:
        os.chown(workdir, SANDBOX_UID, SANDBOX_UID)
        python, uid = interpreter_for_sandbox_uid(), str(SANDBOX_UID)
    else:
        command += ["--user", "--map-root-user"]
        python, uid = sys.executable, "-"
    os.execvp("unshare", command + python_command(python, "--init", workdir, uid))


def init(workdir, uid):
    """PID 1 of the namespace, as the container's init: starts the runner, then reaps whatever ends until the runner has."""
    child = os.fork()
    if child == 0:
        try:
            if uid != "-":
                os.setgroups([])
                os.setgid(int(uid))
                os.setuid(int(uid))
            # A fresh exec, as in a container: a process that changed its uid is not dumpable, and the runner must be as it is there.
            os.execv(sys.executable, python_command(sys.executable, "--runner", workdir))
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(70)
    while True:
        pid, status = os.wait()
        if pid == child:
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def run_runner(workdir):
    os.chdir(workdir)
    sys.path.insert(0, SANDBOX_DIR)
    import runner

    runner.WORKDIR = workdir
    runner.MAIN_FILE = os.path.join(workdir, "main.py")
    runner.main()


def main():
    if sys.argv[1] == "--init":
        init(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "--runner":
        run_runner(sys.argv[2])
    else:
        enter_namespace(os.path.abspath(sys.argv[1]))


if __name__ == "__main__":
    main()
