import { WakeUp } from './wake-up';

describe('WakeUp', () => {
  it('ends a wait at once when it rang since the last clear, and not when it was cleared after', async () => {
    const wakeUp = new WakeUp();
    wakeUp.ring();
    await expect(wakeUp.wait(60_000)).resolves.toBe(true);
    wakeUp.clear();
    await expect(wakeUp.wait(10)).resolves.toBe(false);
  });

  it('ends a wait when it rings during it', async () => {
    const wakeUp = new WakeUp();
    const waiting = wakeUp.wait(60_000);
    setImmediate(wakeUp.ring);
    await expect(waiting).resolves.toBe(true);
  });

  it('answers false after the timeout, and a later ring reaches only the next wait', async () => {
    const wakeUp = new WakeUp();
    await expect(wakeUp.wait(10)).resolves.toBe(false);
    wakeUp.ring();
    await expect(wakeUp.wait(60_000)).resolves.toBe(true);
  });
});
