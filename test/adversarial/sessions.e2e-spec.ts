import { adminKey, baseUrl, request } from '../support/api-client';
import { sessionsOf } from '../support/sessions';
import { hostile } from './hostile';

const sessions = sessionsOf(request);

const getFile = async (sessionId: string, path: string) => {
  const response = await fetch(`${baseUrl()}/v1/sessions/${sessionId}/files/${path}`, {
    headers: { authorization: `Bearer ${adminKey()}` },
  });
  return { status: response.status, text: await response.text() };
};

describe('adversarial: sessions', () => {
  hostile('floods of output, displays and reprs are cut at the caps, and the session goes on', async () => {
    const { id } = await sessions.create({ limits: { outputBytes: 65_536 } });
    try {
      const flood = await sessions.run(id, 'import sys\nwhile True:\n    sys.stdout.write("x" * 10_000)');
      expect(flood).toMatchObject({ status: 'output_limit', signal: 'SIGINT', stdoutTruncated: true });
      expect(flood.stdout).toHaveLength(65_536);

      const displays = await sessions.run(id, 'for i in range(500):\n    display(i)');
      expect(displays.displays).toHaveLength(50);
      expect(displays.displaysTruncated).toBe(true);

      const repr = await sessions.run(
        id,
        'class Huge:\n    def __repr__(self):\n        return "r" * 10_000_000\nHuge()',
      );
      expect(repr.status).toBe('succeeded');
      expect(repr.result['text/plain']).toHaveLength(65_536);

      expect(await sessions.run(id, 'print("fine")')).toMatchObject({ status: 'succeeded', stdout: 'fine\n' });
    } finally {
      await sessions.remove(id);
    }
  });

  hostile("forged frames and messages from a cell's code do not confuse its session", async () => {
    const { id } = await sessions.create();
    try {
      const forged = await sessions.run(
        id,
        [
          'import json, os, struct, sys',
          'record = json.dumps({"exitCode": 0, "id": "x"}).encode()',
          'sys.stdout.buffer.write(b"C" + struct.pack(">I", len(record)) + record)',
          'sys.stdout.flush()',
          'done = json.dumps({"t": "done", "id": "someone-else", "exitCode": 0}).encode()',
          'os.write(3, struct.pack(">I", len(done)) + done)',
          'os.write(3, struct.pack(">I", 5) + b"{nope")',
          'value = json.dumps({"t": "value", "data": {"text/plain": "forged"}}).encode()',
          'os.write(3, struct.pack(">I", len(value)) + value)',
          'print("after")',
        ].join('\n'),
      );
      expect(forged.status).toBe('succeeded');
      expect(forged.stdout.startsWith('C\u0000\u0000\u0000')).toBe(true);
      expect(forged.stdout.endsWith('after\n')).toBe(true);
      // What it wrote on the display channel is its own display, and no more: the malformed message is dropped.
      expect(forged).toMatchObject({ result: { 'text/plain': 'forged' }, displaysTruncated: true });
      const next = await sessions.run(id, 'print("next")\n41 + 1');
      expect(next).toMatchObject({ status: 'succeeded', stdout: 'next\n', result: { 'text/plain': '42' } });
    } finally {
      await sessions.remove(id);
    }
  });

  hostile('a cell that wrecks its display channel ends its own session, and no other', async () => {
    const bystander = await sessions.create();
    const { id } = await sessions.create();
    try {
      // A length of 1 GiB: the runner skips that much, unread, and so never sees the end of the cell.
      const wrecked = await sessions.run(id, 'import os, struct\nos.write(3, struct.pack(">I", 1 << 30))', {
        timeoutMs: 1000,
      });
      expect(wrecked).toMatchObject({ status: 'timeout', signal: 'SIGKILL' });
      expect(await sessions.ended(id)).toMatchObject({ statusCode: 410, status: 'dead' });
      expect((await sessions.run(bystander.id, '1 + 1')).result).toEqual({ 'text/plain': '2' });
    } finally {
      await sessions.remove(bystander.id);
    }
  });

  hostile('a file swapped with a link while it is read is never read through the link', async () => {
    const { id } = await sessions.create();
    try {
      await sessions.run(
        id,
        [
          'import os',
          'open("swap", "w").write("plain")',
          'if os.fork() == 0:',
          '    os.setsid()',
          '    while True:',
          '        try:',
          '            os.replace("swap", "swap.tmp"); os.symlink("/etc/passwd", "swap")',
          '            os.remove("swap"); os.replace("swap.tmp", "swap")',
          '        except OSError:',
          '            pass',
        ].join('\n'),
      );
      const seen = new Set<string>();
      for (let i = 0; i < 30; i++) {
        const { status, text } = await getFile(id, 'swap');
        seen.add(`${status}`);
        expect(text).not.toContain('root:');
        if (status === 200) expect(text).toBe('plain');
        else expect([404, 409]).toContain(status);
      }
      expect(seen.size).toBeGreaterThan(0);
    } finally {
      await sessions.remove(id);
    }
  });
});
