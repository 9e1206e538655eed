/**
 * A wake-up that is never lost, for a reader woken by channel messages: clear()
 * it before a read, ring() it on a message, and wait() ends at once when it
 * rang since the clear, or when it rings, or after the timeout (false).
 */
export class WakeUp {
  private rung = false;
  private wake: (() => void) | null = null;

  readonly ring = (): void => {
    this.rung = true;
    this.wake?.();
  };

  clear(): void {
    this.rung = false;
  }

  /** True once rung, false when `timeoutMs` passed without a ring. */
  wait(timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      if (this.rung) return resolve(true);
      const timer = setTimeout(() => {
        this.wake = null;
        resolve(false);
      }, timeoutMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve(true);
      };
    });
  }
}
