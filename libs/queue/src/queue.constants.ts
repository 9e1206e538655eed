export const EXECUTION_QUEUE = 'executions';
/** Image builds for environments: consumed by workers, which have the Docker socket the API never gets. */
export const ENVIRONMENT_BUILD_QUEUE = 'environment-builds';
/**
 * Requests for sessions: each worker has a queue of its own under this
 * contract (sessionQueueName), since only the worker holding a session's
 * container can serve it. Not monitored: the names come and go with workers.
 */
export const SESSION_QUEUE = 'sessions';
/** Webhook deliveries: queued by whoever stores a job's final result, sent by the API (see WebhookQueue). */
export const WEBHOOK_QUEUE = 'webhooks';

/**
 * Every queue whose counts health and metrics report. A new queue (such as the
 * environment builds queue) is added to QueueContracts, registered in
 * QueueModule and listed here.
 */
export const MONITORED_QUEUES = [EXECUTION_QUEUE, ENVIRONMENT_BUILD_QUEUE, WEBHOOK_QUEUE] as const;

/** The states a job can wait or run in, as health and metrics count them. */
export const COUNTED_JOB_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed'] as const;
export type CountedJobState = (typeof COUNTED_JOB_STATES)[number];
export type JobCounts = Record<CountedJobState, number>;
