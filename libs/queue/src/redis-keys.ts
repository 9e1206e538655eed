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

  /** Hash: API key id -> its record (name, role, quotas, sha-256 of the key; never the key itself). */
  get apiKeys(): string {
    return `${this.prefix}:apikeys`;
  }

  /** Hash: sha-256 of an API key -> its id, for the lookup on every request. */
  get apiKeyHashes(): string {
    return `${this.prefix}:apikeys:hashes`;
  }

  /** Hash: API key name -> its id, so names are unique. */
  get apiKeyNames(): string {
    return `${this.prefix}:apikeys:names`;
  }

  /** The rate limiter's state for one key (GCRA: the theoretical arrival time, epoch ms). */
  rateLimit(keyId: string): string {
    return `${this.prefix}:rate:${keyId}`;
  }

  /** Sorted set of the ids of a key's queued and running executions, scored by admission time. */
  inFlight(keyId: string): string {
    return `${this.prefix}:inflight:${keyId}`;
  }

  /** The fair-share round of a key's most recently admitted execution. */
  fairRound(keyId: string): string {
    return `${this.prefix}:fair:round:${keyId}`;
  }

  /** The fair-share round of the execution a worker started most recently. */
  get fairClock(): string {
    return `${this.prefix}:fair:clock`;
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
