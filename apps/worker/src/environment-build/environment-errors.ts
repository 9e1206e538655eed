/** The environment is still building: the job goes back to the queue (delayed) and is tried again after `retryInMs`. */
export class EnvironmentNotReadyError extends Error {
  constructor(
    readonly environment: string,
    readonly retryInMs: number,
  ) {
    super(`environment "${environment}" is still building`);
  }
}

/** This worker could not get a ready environment's image (a local build failed): retried like any fault of the service. */
export class EnvironmentUnavailableError extends Error {}
