/** Every Redis key and channel this service uses outside BullMQ, in one place. */
export class RedisKeys {
  constructor(private readonly prefix: string) {}

  /** Set when a cancel is requested; workers check it before starting a container. */
  cancelFlag(id: string): string {
    return `${this.prefix}:cancel:${id}`;
  }

  /** The final result of a job that was cancelled while still queued (its job is removed). */
  cancelledResult(id: string): string {
    return `${this.prefix}:cancelled:${id}`;
  }

  get cancelChannel(): string {
    return `${this.prefix}:cancel`;
  }

  get workers(): string {
    return `${this.prefix}:workers`;
  }

  get workersSeen(): string {
    return `${this.prefix}:workers:seen`;
  }

  /** Hash: environment name -> its catalogue record (JSON). */
  get environments(): string {
    return `${this.prefix}:envs`;
  }

  /** Hash: environment name -> when a job last ran in it. Kept apart so jobs never rewrite records. */
  get environmentsLastUsed(): string {
    return `${this.prefix}:envs:last-used`;
  }

  /** Set of built-in environments already added once: deleting one keeps it deleted. */
  get environmentsSeeded(): string {
    return `${this.prefix}:envs:seeded`;
  }

  /** Stream of one build's log lines, ending with an entry that says how the build ended. */
  environmentBuildLog(buildId: string): string {
    return `${this.prefix}:env-log:${buildId}`;
  }

  /** Pub/sub: images that no version uses any more, for every worker to remove from its engine. */
  get environmentEvents(): string {
    return `${this.prefix}:env-events`;
  }

  /** One image build at a time per container engine, whichever worker process on the host starts it. */
  hostBuildLock(engineId: string): string {
    return `${this.prefix}:env-build-lock:${engineId}`;
  }
}
