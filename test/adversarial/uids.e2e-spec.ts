import Docker from 'dockerode';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { isFinal, request, submit } from '../support/api-client';
import { eventually } from '../support/eventually';
import { FAST_FAULT_DETECTION, privateStack } from '../support/private-stack';
import { listSandboxContainers } from '../support/sandbox-containers';
import { hostile, REPORT, reportOf } from './hostile';

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET ?? '/var/run/docker.sock' });

/** The uid each running container of a deployment was created to run as. */
const usersOf = async (prefix: string): Promise<string[]> => {
  const running = (await listSandboxContainers(prefix)).filter((c) => c.State === 'running');
  return Promise.all(running.map(async (c) => (await docker.getContainer(c.Id).inspect()).Config.User));
};

/** Seen from the host: how many inotify instances each process holds, for those holding any. */
const inotifyInstances = (): Map<number, number> => {
  const counts = new Map<number, number>();
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const held = readdirSync(`/proc/${pid}/fd`).filter(
        (fd) => readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:inotify',
      ).length;
      if (held) counts.set(Number(pid), held);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return counts;
};

/**
 * Every running sandbox container has a uid no other has, across the worker
 * processes that share an engine: the kernel's per-user limits are then each
 * job's own. On one shared uid, one job could use them all up for every other.
 */
describe('adversarial: a uid per running job', () => {
  hostile(
    'sandbox containers running at once, on two worker processes sharing one engine, never share a uid',
    async () => {
      const ctx = await privateStack('uids', {
        ...FAST_FAULT_DETECTION,
        WORKER_CONCURRENCY: '2',
        POOL_SIZES: 'default=1',
      });
      const ids: string[] = [];
      try {
        await ctx.stack.start(2);
        const code = `import os, time\ntime.sleep(20)\nprint(os.getuid(), os.getgid())`;
        ids.push(...(await Promise.all([1, 2, 3, 4].map(() => ctx.submit(code, { limits: { timeoutMs: 40_000 } })))));
        // All four running at once, each in its container: the moment that matters.
        const users = await eventually(
          'four jobs running at once, in four containers',
          async () => {
            const states = await Promise.all(
              ids.map(async (id) => (await ctx.request('GET', `/v1/executions/${id}`)).body.status),
            );
            const now = await usersOf(ctx.prefix);
            return states.every((s) => s === 'running') && now.length >= 4 ? now : undefined;
          },
          20_000,
          100,
        );
        expect(new Set(users).size).toBe(users.length);
        for (const user of users) expect(user).toMatch(/^(2\d{4}):\1$/);

        const results = await Promise.all(ids.map((id) => ctx.pollUntil(id, isFinal, 60_000)));
        expect(results.map((r) => r.status)).toEqual(Array(4).fill('succeeded'));
        expect(new Set(results.map((r) => r.workerId)).size).toBe(2);
        const seen = results.map((r) => r.stdout.trim());
        expect(new Set(seen).size).toBe(4);
        for (const line of seen) {
          const [uid, gid] = line.split(' ');
          expect(gid).toBe(uid);
          expect(users).toContain(`${uid}:${uid}`);
        }
      } finally {
        // A failure above leaves jobs running: cancel them, so no container outlives the stack.
        await Promise.all(ids.map((id) => ctx.request('DELETE', `/v1/executions/${id}`)));
        await ctx.cleanUp();
      }
    },
    120_000,
  );

  hostile(
    'one job using up the per-user inotify instances does not take them from another job running at the same time',
    async () => {
      const perUser = Number(readFileSync('/proc/sys/fs/inotify/max_user_instances', 'utf8'));
      // Below the open-file limit (256), so that the per-user limit is what the first job runs into.
      expect(perUser).toBeLessThan(250);
      const hog = await submit(
        `import ctypes, time
libc = ctypes.CDLL(None, use_errno=True)
while libc.inotify_init1(0) >= 0:
    pass
time.sleep(30)`,
        { limits: { timeoutMs: 40_000 } },
      );
      try {
        // Seen from the host: a process holding every instance its user may have.
        const hogPid = await eventually(
          'the first job holding the per-user maximum of inotify instances',
          async () => [...inotifyInstances()].find(([, held]) => held === perUser)?.[0],
          30_000,
          100,
        );
        const hogUid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${hogPid}/status`, 'utf8'))![1];

        const other = await request('POST', '/v1/executions?wait=true', {
          code: `${REPORT}
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(0)
report({"inotify": "ok" if fd >= 0 else errno.errorcode[ctypes.get_errno()], "uid": os.getuid()})`,
        });
        expect(other.status).toBe(200);
        expect(other.body.status).toBe('succeeded');
        expect(reportOf(other.body)).toEqual({ inotify: 'ok', uid: expect.any(Number) });
        expect(String(reportOf(other.body).uid)).not.toBe(hogUid);
        // Both ran at once: the first job still holds them all.
        expect((await request('GET', `/v1/executions/${hog}`)).body.status).toBe('running');
        expect(inotifyInstances().get(hogPid)).toBe(perUser);
      } finally {
        await request('DELETE', `/v1/executions/${hog}`);
      }
    },
    90_000,
  );
});
