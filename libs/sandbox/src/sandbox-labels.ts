/** Labels on every container this service creates; the reaper and the tests find them by these alone. */
export const SANDBOX_LABELS = {
  managed: 'io.simplepysandbox.managed',
  job: 'io.simplepysandbox.job',
  worker: 'io.simplepysandbox.worker',
  deadline: 'io.simplepysandbox.deadline',
  deployment: 'io.simplepysandbox.deployment',
} as const;
