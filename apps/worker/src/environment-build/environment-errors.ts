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

/** The registry did not give this worker an image it needs (unreachable, refused the credentials, no such digest): the job waits for it, up to ENV_WAIT_MS. */
export class RegistryPullError extends Error {}

/** The registry gave this worker an image that is not the recorded version: never run, whatever REGISTRY_FALLBACK_BUILD says. */
export class ImageRefusedError extends Error {}
