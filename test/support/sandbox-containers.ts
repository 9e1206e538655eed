import Docker from 'dockerode';

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET ?? '/var/run/docker.sock' });
const MANAGED = 'io.simplepysandbox.managed=true';

/**
 * Sandbox containers of this test run: its workers' ids start with the run's
 * Redis prefix, so test runs side by side on one engine do not see each other.
 */
export const listSandboxContainers = async (prefix = process.env.E2E_REDIS_PREFIX ?? ''): Promise<Docker.ContainerInfo[]> => {
  const all = await docker.listContainers({ all: true, filters: { label: [MANAGED] } });
  return all.filter((c) => (c.Labels['io.simplepysandbox.worker'] ?? '').startsWith(`${prefix}-`));
};

/** Removal happens right after a result is recorded; give it a moment, then insist. */
export const expectNoSandboxContainers = async (timeoutMs = 10_000, prefix?: string): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  let left = await listSandboxContainers(prefix);
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    left = await listSandboxContainers(prefix);
  }
  if (left.length) {
    throw new Error(`sandbox containers left behind: ${left.map((c) => `${c.Id.slice(0, 12)} ${c.State}`).join(', ')}`);
  }
};
