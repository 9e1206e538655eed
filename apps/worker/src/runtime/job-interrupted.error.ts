/**
 * The worker stopped a job it was running because it is shutting down or lost
 * its Docker engine. The job goes back to the queue without using up an attempt.
 */
export class JobInterruptedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'JobInterruptedError';
  }
}
