import type { SessionRecord } from '@sps/queue';
import { overdueReason } from './session-reaper.service';

const NOW = Date.parse('2030-01-01T12:00:00.000Z');
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();
const session = (idleExpiresAt: string, expiresAt: string) =>
  ({ idleExpiresAt, expiresAt, idleTimeoutSeconds: 600, maxLifetimeSeconds: 3600 }) as SessionRecord;

describe('overdueReason', () => {
  it('leaves a session whose expiry is in the future, or past by less than the grace', () => {
    expect(overdueReason(session(at(1000), at(60_000)), NOW, 60_000)).toBeNull();
    expect(overdueReason(session(at(-59_000), at(60_000)), NOW, 60_000)).toBeNull();
  });

  it('closes one idle for longer than its timeout and the grace', () => {
    expect(overdueReason(session(at(-61_000), at(600_000)), NOW, 60_000)).toBe('idle for 600 s');
  });

  it('names its lifetime when that ended first', () => {
    expect(overdueReason(session(at(-1000), at(-61_000)), NOW, 60_000)).toBe('its lifetime of 3600 s ended');
  });
});
