/** The queue holds as many waiting jobs as it may: the job was not added. */
export class QueueFullError extends Error {
  constructor(
    readonly queued: number,
    readonly cap: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`the queue is full (${queued} jobs waiting, the cap is ${cap}): try again later`);
  }
}
