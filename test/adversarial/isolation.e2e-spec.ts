import { run } from '../support/api-client';
import { hostile, REPORT, reportOf } from './hostile';

describe('adversarial: isolation between jobs', () => {
  hostile('a file left in /tmp, /dev/shm or the working directory by one job is absent in the next', async () => {
    const marker = `marker-${Date.now()}`;
    const first = await run(`
for path in ["/tmp/${marker}", "/dev/shm/${marker}", "${marker}", "/tmp/.cache/${marker}"]:
    import os
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    open(path, "w").write("left behind")
print("written")`);
    expect(first).toMatchObject({ status: 'succeeded', stdout: 'written\n' });
    // Enough jobs that every warm container and a fresh one are used at least once.
    for (let i = 0; i < 4; i++) {
      const next = await run(`${REPORT}
import glob
report(sorted(glob.glob("/tmp/**", recursive=True) + glob.glob("/dev/shm/**", recursive=True) + glob.glob("/sandbox/**", recursive=True)))`);
      expect(next.status).toBe('succeeded');
      expect(reportOf(next).filter((path: string) => path.includes(marker))).toEqual([]);
      // Only the job's own code: main.py, written there by the runner.
      expect(reportOf(next)).toEqual(['/dev/shm/', '/sandbox/', '/sandbox/main.py', '/tmp/']);
    }
  });

  hostile('one job cannot see or signal the processes of another running at the same time', async () => {
    const sleeper = run('import time\ntime.sleep(3)\nprint("undisturbed")', { limits: { timeoutMs: 20_000 } });
    const snoop = await run(`${REPORT}
import errno, signal
pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
# Threads answer os.kill too (the program's own output flusher is one): count them as seen with their process.
tids = set(pids)
for pid in pids:
    try:
        tids.update(int(t) for t in os.listdir(f"/proc/{pid}/task"))
    except OSError:
        pass
cmdlines = []
for pid in pids:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdlines.append(f.read().split(b"\\0")[0].decode(errors="replace"))
    except OSError:
        pass
killed = 0
for pid in range(2, 4096):
    try:
        os.kill(pid, 0)
        if pid not in tids:
            killed += 1
    except OSError:
        pass
report({"others": [c for c in cmdlines if "sleep" in c or "node" in c or "dockerd" in c or "redis" in c], "unseen": killed})`);
    expect(reportOf(snoop)).toEqual({ others: [], unseen: 0 });
    expect(await sleeper).toMatchObject({ status: 'succeeded', stdout: 'undisturbed\n' });
  });
});
