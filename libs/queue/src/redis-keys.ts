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
}
