import type { WorkerHeartbeat } from '@sps/queue';

/** A live worker as placement sees it: its heartbeat, and how many sessions Redis says it holds now. */
export interface Candidate {
  heartbeat: WorkerHeartbeat;
  open: number;
}

/**
 * The worker a new session goes to: among the live workers with Docker and
 * room for one more session, the least loaded, preferring those that have
 * the environment's image already (any other builds it first). Null when none has room.
 */
export const chooseWorker = (candidates: Candidate[], environment: string): WorkerHeartbeat | null => {
  const load = ({ heartbeat, open }: Candidate) => open / heartbeat.sessions.max;
  const hasImage = ({ heartbeat }: Candidate) => Number(heartbeat.environments.includes(environment));
  const [best] = candidates
    .filter(({ heartbeat, open }) => heartbeat.docker.up && heartbeat.sessions && open < heartbeat.sessions.max)
    .sort((a, b) => hasImage(b) - hasImage(a) || load(a) - load(b) || a.heartbeat.busy - b.heartbeat.busy);
  return best?.heartbeat ?? null;
};
