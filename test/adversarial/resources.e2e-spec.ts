import { isFinal, pollUntil, run, submit } from '../support/api-client';
import { hostile } from './hostile';

// Small limits keep every bomb short: the point is the outcome, not the size.
describe('adversarial: resources', () => {
  hostile('a fork bomb is held at the process limit and ends with its main program', async () => {
    const result = await run('import os\nwhile True:\n    os.fork()', { limits: { timeoutMs: 5000, pids: 32 } });
    expect(result.status).toBe('failed');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('BlockingIOError: [Errno 11] Resource temporarily unavailable');
  });

  hostile('a fork bomb that swallows the errors runs into the time limit', async () => {
    const result = await run('import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass', {
      limits: { timeoutMs: 2000, pids: 32 },
    });
    expect(result).toMatchObject({ status: 'timeout', exitCode: null, signal: 'SIGKILL' });
  });

  hostile('a thread bomb is held at the process limit', async () => {
    const result = await run(
      'import threading, time\nwhile True:\n    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()',
      {
        limits: { timeoutMs: 5000, pids: 32 },
      },
    );
    expect(result.status).toBe('failed');
    expect(result.stderr).toContain("RuntimeError: can't start new thread");
  });

  hostile('a memory bomb is killed at the memory limit', async () => {
    const result = await run(
      'blocks = []\nwhile True:\n    blocks.append(bytearray(8 * 1024 * 1024))\n    blocks[-1][::4096] = b"x" * 2048',
      {
        limits: { memoryMb: 64, timeoutMs: 10000 },
      },
    );
    expect(result).toMatchObject({ status: 'oom', signal: 'SIGKILL' });
    expect(result.usage.peakMemoryBytes).toBeLessThanOrEqual(64 * 1024 * 1024);
  });

  hostile('a memory bomb through /dev/shm stops at its size', async () => {
    const result = await run(
      'import errno\nwritten = 0\ntry:\n    with open("/dev/shm/fill", "wb") as f:\n        while True:\n            f.write(b"x" * 1048576)\n            f.flush()\n            written += 1\nexcept OSError as e:\n    print(errno.errorcode[e.errno], written <= 16)',
      { limits: { memoryMb: 256, timeoutMs: 10000 } },
    );
    expect(result).toMatchObject({ status: 'succeeded', stdout: 'ENOSPC True\n' });
  });

  hostile(
    'a memory bomb through /tmp is stopped by the memory limit or the size of /tmp, whichever comes first',
    async () => {
      const result = await run(
        'import errno\ntry:\n    with open("/tmp/fill", "wb") as f:\n        while True:\n            f.write(b"x" * 1048576)\n            f.flush()\nexcept OSError as e:\n    print(errno.errorcode[e.errno])',
        { limits: { memoryMb: 32, timeoutMs: 10000 } },
      );
      // tmpfs pages are charged to the container's memory: 32 MB of memory fill up before 64 MB of /tmp.
      expect(result.status).toBe('oom');
    },
  );

  hostile('a CPU loop is killed at the time limit', async () => {
    const result = await run('while True:\n    pass', { limits: { timeoutMs: 1000 } });
    expect(result).toMatchObject({ status: 'timeout', exitCode: null, signal: 'SIGKILL' });
  });

  hostile('sleeping forever is killed at the time limit', async () => {
    const result = await run('import time\ntime.sleep(10 ** 6)', { limits: { timeoutMs: 1000 } });
    expect(result).toMatchObject({ status: 'timeout', exitCode: null, signal: 'SIGKILL' });
  });

  hostile('code that ignores SIGTERM, SIGINT and SIGHUP is still killed at the time limit', async () => {
    const result = await run(
      'import signal, time\nfor s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):\n    signal.signal(s, signal.SIG_IGN)\nprint("ignoring", flush=True)\nwhile True:\n    time.sleep(1)',
      { limits: { timeoutMs: 1000 } },
    );
    expect(result).toMatchObject({ status: 'timeout', signal: 'SIGKILL', stdout: 'ignoring\n' });
  });

  for (const [stream, newline] of [
    ['stdout', true],
    ['stdout', false],
    ['stderr', true],
    ['stderr', false],
  ] as const) {
    hostile(`a ${stream} flood ${newline ? 'with' : 'without'} newlines stops at the output cap`, async () => {
      const write = newline ? `print("x" * 99, file=sys.${stream})` : `sys.${stream}.write("x" * 4096)`;
      const result = await run(`import sys\nwhile True:\n    ${write}`, {
        limits: { outputBytes: 10_000, timeoutMs: 10_000 },
      });
      expect(result.status).toBe('output_limit');
      expect(result[stream]).toHaveLength(10_000);
      expect(result[stream]).toMatch(/^[x\n]+$/);
      expect(result[`${stream}Truncated`]).toBe(true);
      const other = stream === 'stdout' ? 'stderr' : 'stdout';
      expect(result[other]).toBe('');
    });
  }

  hostile('filling the disk ends with ENOSPC and the oversized file is not returned', async () => {
    const result = await run(
      'import errno\ntry:\n    with open("big.bin", "wb") as f:\n        while True:\n            f.write(b"x" * 1048576)\n            f.flush()\nexcept OSError as e:\n    print(errno.errorcode[e.errno])',
      { limits: { memoryMb: 256, timeoutMs: 10000 } },
    );
    expect(result).toMatchObject({ status: 'succeeded', stdout: 'ENOSPC\n', files: [], filesTruncated: true });
  });

  hostile(
    'millions of small files stop at the inode limit, and only the file cap comes back',
    async () => {
      const id = await submit(
        'import errno\nn = 0\ntry:\n    while n < 3_000_000:\n        open(f"f{n}", "w").close()\n        n += 1\nexcept OSError as e:\n    print(errno.errorcode[e.errno], n)',
        { limits: { memoryMb: 512, timeoutMs: 30000 } },
      );
      const result = await pollUntil(id, isFinal, 60_000);
      expect(result.status).toBe('succeeded');
      const [code, count] = result.stdout.trim().split(' ');
      expect(code).toBe('ENOSPC');
      expect(Number(count)).toBeLessThan(20_000);
      expect(result.files).toHaveLength(100);
      expect(result.filesTruncated).toBe(true);
    },
    90_000,
  );

  hostile('exhausting file descriptors stops at the open-file limit', async () => {
    const result = await run(
      'import errno\nfiles = []\ntry:\n    while True:\n        files.append(open("/dev/null"))\nexcept OSError as e:\n    print(errno.errorcode[e.errno], len(files) < 256)',
    );
    expect(result).toMatchObject({ status: 'succeeded', stdout: 'EMFILE True\n' });
  });

  // Python 3.11 keeps Python frames on the heap: unbounded Python recursion meets the memory limit.
  hostile('recursion in Python, without a recursion limit, is killed at the memory limit', async () => {
    const result = await run('import sys\nsys.setrecursionlimit(10 ** 9)\ndef f(n):\n    return f(n + 1) + 1\nf(0)', {
      limits: { memoryMb: 64, timeoutMs: 20000 },
    });
    expect(result).toMatchObject({ status: 'oom', exitCode: null, signal: 'SIGKILL' });
  });

  // repr() of a deeply nested list recurses in C, on the thread's stack, until the interpreter crashes.
  hostile('recursion in C until the interpreter crashes ends as a failed job with SIGSEGV', async () => {
    const result = await run(
      'import sys\nsys.setrecursionlimit(10 ** 9)\nx = []\nfor _ in range(10 ** 6):\n    x = [x]\nrepr(x)',
      {
        limits: { memoryMb: 256, timeoutMs: 20000 },
      },
    );
    expect(result).toMatchObject({ status: 'failed', exitCode: null, signal: 'SIGSEGV' });
  });
});
