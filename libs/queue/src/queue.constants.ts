export const EXECUTION_QUEUE = 'executions';
/** Image builds for environments: consumed by workers, which have the Docker socket the API never gets. */
export const ENVIRONMENT_BUILD_QUEUE = 'environment-builds';

/**
 * Every queue whose counts health and metrics report. A new queue (such as the
 * environment builds queue) is added to QueueContracts, registered in
 * QueueModule and listed here.
 */
export const MONITORED_QUEUES = [EXECUTION_QUEUE, ENVIRONMENT_BUILD_QUEUE] as const;

/** The states a job can wait or run in, as health and metrics count them. */
export const COUNTED_JOB_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed'] as const;
export type CountedJobState = (typeof COUNTED_JOB_STATES)[number];
export type JobCounts = Record<CountedJobState, number>;
