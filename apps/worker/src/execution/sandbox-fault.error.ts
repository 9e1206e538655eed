/** A fault of the service rather than of the user's code: BullMQ retries it, and its message is written for users. */
export class SandboxFaultError extends Error {}
