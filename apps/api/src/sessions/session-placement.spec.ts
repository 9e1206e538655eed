import type { WorkerHeartbeat } from '@sps/queue';
import { chooseWorker } from './session-placement';

const worker = (id: string, fields: Partial<WorkerHeartbeat> = {}): WorkerHeartbeat => ({
  id,
  host: 'host',
  pid: 1,
  concurrency: 2,
  busy: 0,
  docker: { up: true, version: '20.10' },
  environments: ['default'],
  images: [],
  registry: null,
  pool: {},
  sessions: { open: 0, max: 4 },
  lastSeen: '2030-01-01T00:00:00.000Z',
  ...fields,
});

describe('chooseWorker', () => {
  it('takes the worker holding the fewest sessions for its size, as Redis counts them now', () => {
    const chosen = chooseWorker(
      [
        { heartbeat: worker('a'), open: 2 },
        { heartbeat: worker('b', { sessions: { open: 0, max: 8 } }), open: 3 },
      ],
      'default',
    );
    expect(chosen?.id).toBe('b');
  });

  it("prefers a worker that has the environment's image over a less loaded one that would build it", () => {
    const chosen = chooseWorker(
      [
        { heartbeat: worker('a'), open: 0 },
        { heartbeat: worker('b', { environments: ['default', 'datascience'] }), open: 3 },
      ],
      'datascience',
    );
    expect(chosen?.id).toBe('b');
  });

  it('skips workers without Docker or without room, and finds none when all are so', () => {
    const candidates = [
      { heartbeat: worker('down', { docker: { up: false, version: null } }), open: 0 },
      { heartbeat: worker('full'), open: 4 },
      { heartbeat: worker('draining', { sessions: { open: 0, max: 0 } }), open: 0 },
    ];
    expect(chooseWorker(candidates, 'default')).toBeNull();
    expect(chooseWorker([...candidates, { heartbeat: worker('ok'), open: 3 }], 'default')?.id).toBe('ok');
  });
});
