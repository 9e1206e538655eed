import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { EnvironmentNotReadyError, EnvironmentUnavailableError } from '../environment-build/environment-errors';
import { DockerGate } from '../runtime/docker-gate.service';
import { JobInterruptedError } from '../runtime/job-interrupted.error';
import { NoFreeUidError } from '../runtime/sandbox-uids.service';
import { SandboxFaultError } from './sandbox-fault.error';

/** What becomes of a job whose attempt threw. */
export type FailureVerdict =
  /** Back to the queue, delayed, without holding a slot of this worker: its environment is still building. */
  | { kind: 'delay'; retryInMs: number }
  /** Back to the waiting list with its attempts untouched: nothing was wrong with the job itself. */
  | { kind: 'requeue'; reason: string }
  /** Failed: `error` becomes the public `error` text; `final` when no attempt is left to retry it. */
  | { kind: 'fail'; error: Error; final: boolean };

/** The attempts a job has made and may make, as BullMQ counts them. */
export interface AttemptCount {
  attemptsMade: number;
  attempts: number;
}

/**
 * Sorts a failed attempt into the three kinds of failure: waiting (an
 * environment still building), no fault of the job (the worker interrupted
 * it, or Docker went away under it), and a fault, which BullMQ retries unless
 * it is permanent. Whatever reaches BullMQ becomes the public `error` text, so
 * only messages written for users pass; anything else is logged in full here.
 */
@Injectable()
export class FailureClassifier {
  private readonly logger = new Logger(FailureClassifier.name);

  constructor(private readonly docker: DockerGate) {}

  async classify(error: unknown, jobId: string, { attemptsMade, attempts }: AttemptCount): Promise<FailureVerdict> {
    if (error instanceof EnvironmentNotReadyError) return { kind: 'delay', retryInMs: error.retryInMs };
    if (error instanceof JobInterruptedError) return { kind: 'requeue', reason: error.message };
    // Docker went away under this job (or while its image was looked up): no fault of the job, so it waits for a worker that has Docker.
    if (
      (error instanceof SandboxFaultError || error instanceof EnvironmentUnavailableError) &&
      !(await this.docker.check()).up
    )
      return { kind: 'requeue', reason: 'Docker is unreachable' };
    const final = error instanceof UnrecoverableError || attemptsMade + 1 >= attempts;
    if (
      error instanceof UnrecoverableError ||
      error instanceof SandboxFaultError ||
      error instanceof NoFreeUidError ||
      error instanceof EnvironmentUnavailableError
    ) {
      this.logger.warn(`job ${jobId}: ${error.message}`);
      return { kind: 'fail', error, final };
    }
    this.logger.error(`job ${jobId}: unexpected failure: ${error instanceof Error ? error.stack : String(error)}`);
    return { kind: 'fail', error: new SandboxFaultError('the worker failed to run the job'), final };
  }
}
