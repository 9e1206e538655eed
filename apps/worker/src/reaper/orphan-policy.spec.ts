import type { ManagedContainer } from '@sps/sandbox';
import { orphanReason, ReapContext } from './orphan-policy';

const NOW = 1_800_000_000_000;
const context = (fields: Partial<ReapContext> = {}): ReapContext => ({
  deployment: 'sps',
  selfId: 'me',
  live: new Set(['me', 'peer']),
  now: NOW,
  bootedAt: NOW - 60_000,
  heartbeatTtlMs: 15_000,
  deadlineGraceMs: 60_000,
  ...fields,
});
const container = (labels: Record<string, string>, ageMs = 3_600_000): ManagedContainer => ({
  id: 'c1',
  labels: {
    'io.simplepysandbox.managed': 'true',
    'io.simplepysandbox.deployment': 'sps',
    'io.simplepysandbox.deadline': String(NOW + 60_000),
    ...labels,
  },
  createdAt: NOW - ageMs,
});

describe('orphanReason', () => {
  it('never judges a container without the managed label', () => {
    const unlabelled: ManagedContainer = { id: 'x', labels: { 'io.simplepysandbox.worker': 'dead' }, createdAt: 0 };
    expect(orphanReason(unlabelled, context())).toBeNull();
  });

  it("never judges another deployment's container, however dead its worker looks from here", () => {
    const other = container({
      'io.simplepysandbox.deployment': 'other',
      'io.simplepysandbox.worker': 'dead',
      'io.simplepysandbox.deadline': '1',
    });
    expect(orphanReason(other, context())).toBeNull();
  });

  it('never judges a container without a deployment label', () => {
    const legacy = container({ 'io.simplepysandbox.worker': 'dead' });
    delete legacy.labels['io.simplepysandbox.deployment'];
    expect(orphanReason(legacy, context())).toBeNull();
  });

  it('removes a container whose worker has no live heartbeat', () => {
    expect(orphanReason(container({ 'io.simplepysandbox.worker': 'dead' }), context())).toBe(
      'its worker dead has no live heartbeat',
    );
  });

  it('leaves a young container of an unknown worker: its first heartbeat may not have landed yet', () => {
    expect(orphanReason(container({ 'io.simplepysandbox.worker': 'new' }, 1000), context())).toBeNull();
  });

  it("leaves a live peer's container and this worker's own while running", () => {
    expect(orphanReason(container({ 'io.simplepysandbox.worker': 'peer' }), context())).toBeNull();
    expect(orphanReason(container({ 'io.simplepysandbox.worker': 'me' }, 30_000), context())).toBeNull();
  });

  it("removes this worker's own containers from before it started: they are from an earlier life", () => {
    expect(orphanReason(container({ 'io.simplepysandbox.worker': 'me' }, 120_000), context())).toBe(
      'left by an earlier run of this worker',
    );
  });

  it("leaves this worker's own containers from this life, such as its warm pool's, even just after start", () => {
    expect(
      orphanReason(
        container({ 'io.simplepysandbox.worker': 'me', 'io.simplepysandbox.job': 'warm-pool' }, 1000),
        context({ bootedAt: NOW - 1500 }),
      ),
    ).toBeNull();
    expect(orphanReason(container({ 'io.simplepysandbox.worker': 'me' }, 30_000), context())).toBeNull();
  });

  it("removes any container whose deadline is long past, even a live worker's", () => {
    const late = container({
      'io.simplepysandbox.worker': 'peer',
      'io.simplepysandbox.deadline': String(NOW - 60_001),
    });
    expect(orphanReason(late, context())).toBe('its deadline is long past');
    const justLate = container({
      'io.simplepysandbox.worker': 'peer',
      'io.simplepysandbox.deadline': String(NOW - 59_000),
    });
    expect(orphanReason(justLate, context())).toBeNull();
  });

  it('judges no owner when Redis cannot say who is live', () => {
    expect(orphanReason(container({ 'io.simplepysandbox.worker': 'dead' }), context({ live: null }))).toBeNull();
  });
});
