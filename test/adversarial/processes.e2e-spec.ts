import { run } from '../support/api-client';
import { hostile, REPORT, reportOf } from './hostile';

describe('adversarial: processes', () => {
  hostile('background children, daemonized or not, end with the main program', async () => {
    const result = await run(
      `
import os, subprocess, time
subprocess.Popen(["sleep", "1000"])
subprocess.Popen(["python3", "-c", "import time; time.sleep(1000)"], start_new_session=True)
if os.fork() == 0:
    # A classic daemon: new session, second fork, stdio still open on the job's pipes.
    os.setsid()
    if os.fork() == 0:
        while True:
            print("daemon alive", flush=True)
            time.sleep(0.05)
    os._exit(0)
time.sleep(0.3)
print("main done", flush=True)`,
      { limits: { timeoutMs: 20_000 } },
    );
    // "succeeded" rather than "timeout": the job ended when the main program did, children and all.
    expect(result.status).toBe('succeeded');
    expect(result.stdout).toContain('main done\n');
    expect(result.usage.wallMs).toBeLessThan(20_000);
  });

  hostile('a child holding stdout open does not keep the job alive', async () => {
    const result = await run(
      'import subprocess\nsubprocess.Popen(["sh", "-c", "exec sleep 1000"], stdout=None, stderr=None)\nprint("bye")',
      {
        limits: { timeoutMs: 20_000 },
      },
    );
    expect(result).toMatchObject({ status: 'succeeded', stdout: 'bye\n' });
  });

  hostile('zombies pile up only to the process limit and do not outlive the job', async () => {
    const result = await run(
      `${REPORT}
zombies = []
try:
    while True:
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        zombies.append(pid)
except BlockingIOError:
    pass
import time
def state(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(") ")[1].split()[0]
deadline = time.monotonic() + 10
while any(state(pid) != "Z" for pid in zombies) and time.monotonic() < deadline:
    time.sleep(0.05)
states = {state(pid) for pid in zombies}
report({"bounded": 0 < len(zombies) < 32, "states": sorted(states)})`,
      { limits: { pids: 32 } },
    );
    expect(result.status).toBe('succeeded');
    // Never reaped by the program, they are reaped with it: the container goes, and the check after each test sees it gone.
    expect(reportOf(result)).toEqual({ bounded: true, states: ['Z'] });
  });

  hostile('SIGKILL to PID 1 is ignored', async () => {
    const result = await run('import os, signal\nos.kill(1, signal.SIGKILL)\nprint("still here")');
    expect(result).toMatchObject({ status: 'succeeded', stdout: 'still here\n' });
  });

  hostile('SIGTERM to PID 1 ends the job as failed, and nothing is left', async () => {
    // The init shim forwards SIGTERM to the runner, which dies with it: the job ends, unfinished.
    const result = await run('import os, signal, time\nos.kill(1, signal.SIGTERM)\ntime.sleep(30)', {
      limits: { timeoutMs: 20_000 },
    });
    expect(result.status).toBe('failed');
    expect(result.exitCode).toBe(143);
    expect(result.signal).toBe('SIGTERM');
  });

  hostile('kill(-1) from the program takes down the runner and the job fails cleanly', async () => {
    const result = await run('import os, signal, time\nos.kill(-1, signal.SIGKILL)\ntime.sleep(30)', {
      limits: { timeoutMs: 20_000 },
    });
    expect(result.status).toBe('failed');
    expect(result.stdout).toBe('');
  });
});
