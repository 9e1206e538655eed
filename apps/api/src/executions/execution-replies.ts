import { ExecutionResult, isFinalStatus } from '@sps/queue';
import type { FastifyReply } from 'fastify';
import type { ExecutionAcceptedDto } from './dto/execution-result.dto';
import type { ExecutionsService } from './executions.service';

export const replyAccepted = (id: string, reply: FastifyReply): ExecutionAcceptedDto => {
  reply.status(202).header('Location', `/v1/executions/${id}`);
  return { id, status: 'queued' };
};

/** 200 with the final result, or 202 with the id when the wait cap runs out first. */
export const replyWhenFinal = async (
  executions: ExecutionsService,
  queued: ExecutionResult,
  waitCapMs: number,
  reply: FastifyReply,
): Promise<ExecutionResult | ExecutionAcceptedDto> => {
  const result = await executions.waitForFinal(queued.id, waitCapMs, queued);
  return isFinalStatus(result.status) ? result : replyAccepted(queued.id, reply);
};
