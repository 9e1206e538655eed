import type { Job, Queue } from 'bullmq';
import type { EnvironmentBuildJobData, EnvironmentBuildOutcome } from './environment-build.types';
import type { ExecutionJobData, ExecutionSummary } from './execution.types';
import { ENVIRONMENT_BUILD_QUEUE, EXECUTION_QUEUE, SESSION_QUEUE, WEBHOOK_QUEUE } from './queue.constants';
import type { WebhookJobData, WebhookOutcome } from './webhook.queue';
import type { SessionOp } from './session.types';

/**
 * The queue contract, written once: every queue with the data its jobs carry
 * and the result they end with. Producers, processors and readers are all
 * typed from this map, so they cannot drift apart.
 */
export interface QueueContracts {
  [EXECUTION_QUEUE]: { data: ExecutionJobData; result: ExecutionSummary };
  [ENVIRONMENT_BUILD_QUEUE]: { data: EnvironmentBuildJobData; result: EnvironmentBuildOutcome };
  /** Handed to the session's worker and answered through Redis (SessionExecutions, SessionReplies): no result here. */
  [SESSION_QUEUE]: { data: SessionOp; result: null };
  [WEBHOOK_QUEUE]: { data: WebhookJobData; result: WebhookOutcome };
}

export type QueueName = keyof QueueContracts;
export type QueueData<Q extends QueueName> = QueueContracts[Q]['data'];
export type QueueResult<Q extends QueueName> = QueueContracts[Q]['result'];
export type QueueJob<Q extends QueueName> = Job<QueueData<Q>, QueueResult<Q>>;
export type TypedQueue<Q extends QueueName> = Queue<QueueData<Q>, QueueResult<Q>>;

export type ExecutionJob = QueueJob<typeof EXECUTION_QUEUE>;
export type EnvironmentBuildJob = QueueJob<typeof ENVIRONMENT_BUILD_QUEUE>;
export type SessionOpJob = QueueJob<typeof SESSION_QUEUE>;
export type WebhookJob = QueueJob<typeof WEBHOOK_QUEUE>;
