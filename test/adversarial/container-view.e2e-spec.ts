import { run } from '../support/api-client';
import { hostile, REPORT, reportOf } from './hostile';

/** What the container looks like from inside: the hardening of the golden spec, observed end to end. */
describe('adversarial: the view from inside the container', () => {
  hostile('runs as a non-root user with no capabilities and no way to gain privileges', async () => {
    const result = await run(`${REPORT}
status = dict(line.split(":\\t", 1) for line in open("/proc/self/status").read().splitlines() if ":\\t" in line)
import getpass
view = {key: status[key].strip() for key in ["Uid", "Gid", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp"]}
# The uid has no passwd entry: what Python asks of it must still work.
view["user"] = [getpass.getuser(), os.path.expanduser("~")]
report(view)`);
    expect(result.status).toBe('succeeded');
    const view = reportOf(result);
    // A uid of SANDBOX_UID_RANGE (default 20000-29999), the same in every set.
    const [uid] = view.Uid.split('\t');
    expect(Number(uid)).toBeGreaterThanOrEqual(20_000);
    expect(Number(uid)).toBeLessThanOrEqual(29_999);
    expect(view).toEqual({
      Uid: Array(4).fill(uid).join('\t'),
      Gid: Array(4).fill(uid).join('\t'),
      user: ['sandbox', '/tmp'],
      CapInh: '0000000000000000',
      CapPrm: '0000000000000000',
      CapEff: '0000000000000000',
      CapBnd: '0000000000000000',
      CapAmb: '0000000000000000',
      NoNewPrivs: '1',
      // 2: a seccomp filter is in force (the project's profile, libs/sandbox/src/seccomp-profile.ts).
      Seccomp: '2',
    });
  });

  hostile('has a read-only root filesystem, and only the size-capped tmpfs mounts are writable', async () => {
    const result = await run(`${REPORT}
mounts = {}
for line in open("/proc/self/mounts"):
    device, target, kind, options = line.split()[:4]
    mounts[target] = (kind, options.split(","))
writable = sorted(t for t, (kind, options) in mounts.items() if "rw" in options and not t.startswith(("/proc", "/sys", "/dev/pts", "/dev/mqueue")) and t != "/dev")
report({"root": mounts["/"][1][0], "writable": writable,
        "flags": {t: sorted(o for o in mounts[t][1] if o in ("nosuid", "nodev", "noexec")) for t in writable},
        "inodes": {t: [o for o in mounts[t][1] if o.startswith("nr_inodes=")] for t in writable}})`);
    expect(result.status).toBe('succeeded');
    const view = reportOf(result);
    expect(view.root).toBe('ro');
    expect(view.writable).toEqual(['/dev/shm', '/sandbox', '/tmp']);
    for (const mount of view.writable) {
      expect(view.flags[mount]).toEqual(['nodev', 'noexec', 'nosuid']);
      expect(view.inodes[mount]).toEqual(['nr_inodes=16384']);
    }
  });

  hostile('has no Docker socket anywhere, by name or by kind', async () => {
    const result = await run(`${REPORT}
import stat
hits = []
for root, dirs, files in os.walk("/", followlinks=False):
    if root in ("/proc", "/sys"):
        dirs[:] = []
        continue
    for name in dirs + files:
        path = os.path.join(root, name)
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            continue
        if stat.S_ISSOCK(mode) or "docker" in name or "containerd" in name or name.endswith(".sock"):
            hits.append([path, "socket" if stat.S_ISSOCK(mode) else "file" if stat.S_ISREG(mode) else "other", os.lstat(path).st_size])
report(hits)`);
    expect(result.status).toBe('succeeded');
    // Docker's empty marker file and its init binary; no socket of any name.
    expect(reportOf(result)).toEqual([
      ['/.dockerenv', 'file', 0],
      ['/usr/sbin/docker-init', 'file', expect.any(Number)],
    ]);
  });

  hostile('sees none of the worker environment, only the fixed sandbox variables', async () => {
    const canary = process.env.E2E_WORKER_CANARY!;
    expect(canary).toMatch(/^canary-/);
    const result = await run(`${REPORT}
environs = {}
for pid in [p for p in os.listdir("/proc") if p.isdigit()] + ["self"]:
    try:
        environs[pid] = open(f"/proc/{pid}/environ", "rb").read().decode(errors="replace")
    except OSError:
        pass
report({"names": sorted(os.environ), "environs": environs})`);
    expect(result.status).toBe('succeeded');
    const view = reportOf(result);
    expect(JSON.stringify(view)).not.toContain(canary);
    expect(view.names).toEqual(
      [
        'HOME',
        'HOSTNAME',
        'LANG',
        'LC_ALL',
        'LOGNAME',
        'USER',
        'MPLBACKEND',
        'MPLCONFIGDIR',
        'OMP_NUM_THREADS',
        'OPENBLAS_NUM_THREADS',
        'PATH',
        'TMPDIR',
        'XDG_CACHE_HOME',
      ].sort(),
    );
    for (const environ of Object.values<string>(view.environs)) {
      for (const secret of ['REDIS', 'ADMIN_API_KEY', 'SPS_WORKER_SECRET', 'E2E_', 'DOCKER', 'WORKER_ID', 'QUOTA'])
        expect(environ).not.toContain(secret);
    }
  });

  hostile('/proc shows only the init shim, the runner and the program itself', async () => {
    const result = await run(`${REPORT}
procs = {}
for pid in sorted((p for p in os.listdir("/proc") if p.isdigit()), key=int):
    try:
        procs[pid] = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\\0")[0].decode()
    except OSError:
        pass
report({"procs": procs, "me": os.getpid(), "parent": os.getppid()})`);
    expect(result.status).toBe('succeeded');
    const view = reportOf(result);
    expect(Object.keys(view.procs)).toHaveLength(3);
    expect(view.procs['1']).toMatch(/docker-init|tini/);
    expect(view.procs[String(view.parent)]).toBe('python3');
    expect(view.procs[String(view.me)]).toBe('python3');
    expect(Object.keys(view.procs).sort()).toEqual(['1', String(view.parent), String(view.me)].sort());
  });

  hostile('has the limits of the request, not the host, in force', async () => {
    const result = await run(
      `${REPORT}
import resource
def read(path):
    try:
        return open(path).read().strip()
    except OSError:
        return None
report({"memory": read("/sys/fs/cgroup/memory.max") or read("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
        "pids": read("/sys/fs/cgroup/pids.max") or read("/sys/fs/cgroup/pids/pids.max"),
        "nofile": resource.getrlimit(resource.RLIMIT_NOFILE), "core": resource.getrlimit(resource.RLIMIT_CORE)})`,
      {
        limits: { memoryMb: 96, pids: 40 },
      },
    );
    expect(reportOf(result)).toEqual({
      memory: String(96 * 1024 * 1024),
      pids: '40',
      nofile: [256, 256],
      core: [0, 0],
    });
  });
});
