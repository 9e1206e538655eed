import { ManagedContainer, SANDBOX_LABELS } from '@sps/sandbox';

export interface ReapContext {
  /** This deployment's Redis prefix: containers of other deployments on the same engine are never judged. */
  deployment: string;
  selfId: string;
  /** Ids of workers with a live heartbeat, or null when Redis could not say. */
  live: Set<string> | null;
  now: number;
  /** When this worker process started: its own containers from before then are from an earlier life. */
  bootedAt: number;
  heartbeatTtlMs: number;
  deadlineGraceMs: number;
}

/**
 * Why a container should be removed, or null to leave it. Only containers that
 * carry this service's labels, for this deployment, are ever considered.
 */
export const orphanReason = (container: ManagedContainer, context: ReapContext): string | null => {
  const { labels } = container;
  if (labels[SANDBOX_LABELS.managed] !== 'true') return null;
  // Another deployment's workers heartbeat into another prefix: from here they would all look dead.
  if (labels[SANDBOX_LABELS.deployment] !== context.deployment) return null;
  const deadline = Number(labels[SANDBOX_LABELS.deadline]);
  if (Number.isFinite(deadline) && deadline > 0 && context.now > deadline + context.deadlineGraceMs) {
    return 'its deadline is long past';
  }
  const owner = labels[SANDBOX_LABELS.worker];
  if (!owner) return null;
  // Docker reports creation in whole seconds: a second of margin keeps this life's first containers safe.
  if (owner === context.selfId)
    return container.createdAt + 1000 < context.bootedAt ? 'left by an earlier run of this worker' : null;
  // A worker may create a container just before its first heartbeat lands: young containers get the benefit of the doubt.
  const old = context.now - container.createdAt > context.heartbeatTtlMs;
  if (context.live && !context.live.has(owner) && old) return `its worker ${owner} has no live heartbeat`;
  return null;
};
