import { ExecutionResult, isFinalStatus } from '@sps/queue';
import type { FastifyReply } from 'fastify';
import type { ExecutionAcceptedDto } from './dto/execution-result.dto';

/**
 * The answer to a submission: 200 with the result once it is final; while it
 * is not (no wait asked, or the wait cap ran out first), 202 with the id and
 * where to look it up (a job's route, or a session cell's).
 */
export const answerSubmission = (
  result: ExecutionResult,
  reply: FastifyReply,
  location = `/v1/executions/${result.id}`,
): ExecutionResult | ExecutionAcceptedDto => {
  if (isFinalStatus(result.status)) return result;
  reply.status(202).header('Location', location);
  return { id: result.id, status: 'queued' };
};

/** `Accept: text/event-stream`, alone or among other types: the caller wants the event stream. */
export const wantsEventStream = (accept: string | undefined): boolean =>
  accept?.split(',').some((type) => type.split(';')[0].trim().toLowerCase() === 'text/event-stream') ?? false;
