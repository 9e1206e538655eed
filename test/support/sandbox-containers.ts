import Docker from 'dockerode';

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET ?? '/var/run/docker.sock' });
const MANAGED = 'io.simplepysandbox.managed=true';
const JOB = 'io.simplepysandbox.job';
const WORKER = 'io.simplepysandbox.worker';
export const WARM_POOL_JOB = 'warm-pool';

/**
 * Sandbox containers of this test run: its workers' ids start with the run's
 * Redis prefix, so test runs side by side on one engine do not see each other.
 */
export const listSandboxContainers = async (
  prefix = process.env.E2E_REDIS_PREFIX ?? '',
): Promise<Docker.ContainerInfo[]> => {
  const all = await docker.listContainers({ all: true, filters: { label: [MANAGED] } });
  return all.filter((c) => (c.Labels[WORKER] ?? '').startsWith(`${prefix}-`));
};

/** The job a container serves: its label, or for a pre-started one the job whose name it took (labels cannot change). */
export const jobOf = (container: Docker.ContainerInfo): string => {
  const renamed = /-job-([0-9a-f-]{36})$/.exec(container.Names?.[0] ?? '');
  return renamed ? renamed[1] : container.Labels[JOB];
};

/** Pre-started containers of a worker still waiting for a job. */
export const warmContainersOf = async (workerId: string): Promise<Docker.ContainerInfo[]> =>
  (await listSandboxContainers()).filter((c) => c.Labels[WORKER] === workerId && jobOf(c) === WARM_POOL_JOB);

/**
 * What may exist between tests: pre-started containers still waiting for a job,
 * no more of them than the pools hold. A used container has exited (its runner
 * ends with its job), so a leaked one shows up as not running or as one too many.
 */
const leftovers = async (prefix?: string): Promise<Docker.ContainerInfo[]> => {
  const allowedWarm = Number(process.env.E2E_WARM_CONTAINERS ?? 0);
  const containers = await listSandboxContainers(prefix);
  const waiting = containers.filter((c) => jobOf(c) === WARM_POOL_JOB && c.State === 'running');
  const others = containers.filter((c) => !waiting.includes(c));
  return waiting.length > allowedWarm ? containers : others;
};

/** Removal happens right after a result is recorded; give it a moment, then insist. */
export const expectNoSandboxContainers = async (timeoutMs = 10_000, prefix?: string): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  let left = await leftovers(prefix);
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    left = await leftovers(prefix);
  }
  if (left.length) {
    throw new Error(
      `sandbox containers left behind: ${left.map((c) => `${c.Id.slice(0, 12)} ${jobOf(c)} ${c.State}`).join(', ')}`,
    );
  }
};
