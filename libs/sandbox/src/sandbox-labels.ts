/** Labels on every container this service creates; the reaper and the tests find them by these alone. */
export const SANDBOX_LABELS = {
  managed: 'io.simplepysandbox.managed',
  /** The Redis prefix of the deployment, so deployments sharing an engine keep apart. */
  deployment: 'io.simplepysandbox.deployment',
  job: 'io.simplepysandbox.job',
  worker: 'io.simplepysandbox.worker',
  deadline: 'io.simplepysandbox.deadline',
  /** The uid the container runs as, leased from SANDBOX_UID_RANGE until the container is removed. */
  uid: 'io.simplepysandbox.uid',
} as const;
