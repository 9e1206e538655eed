/**
 * Counts what each API key holds open on this process (requests in
 * progress, event streams) against a maximum. `take` answers a release
 * function, to call once when the thing ends, or null when the key is at its
 * maximum already.
 */
export class KeySlots {
  private readonly held = new Map<string, number>();

  take(keyId: string, max: number): (() => void) | null {
    const now = this.held.get(keyId) ?? 0;
    if (now >= max) return null;
    this.held.set(keyId, now + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(keyId) ?? 1) - 1;
      if (left > 0) this.held.set(keyId, left);
      else this.held.delete(keyId);
    };
  }
}
