import { request, run } from '../support/api-client';
import { hostile } from './hostile';

const MAX_INPUT_FILES_BYTES = 10 * 1024 * 1024; // the documented default of MAX_INPUT_FILES_BYTES
const SIZE_OF = 'import os, sys\nprint(sum(os.path.getsize(p) for p in sys.argv[1:]))';

/** One input file of `bytes` bytes in the given encoding, as a request sends it. */
const fileOf = (bytes: number, encoding: 'utf8' | 'base64') => ({
  path: 'data.bin',
  encoding,
  content: encoding === 'utf8' ? 'a'.repeat(bytes) : Buffer.alloc(bytes, 0xab).toString('base64'),
});

describe('adversarial: input files at and past the documented maxima', () => {
  for (const encoding of ['utf8', 'base64'] as const) {
    hostile(
      `accepts ${encoding} input files of exactly MAX_INPUT_FILES_BYTES, and refuses one byte more with 400`,
      async () => {
        const at = await run(SIZE_OF, { args: ['data.bin'], files: [fileOf(MAX_INPUT_FILES_BYTES, encoding)] });
        expect(at).toMatchObject({ status: 'succeeded', stdout: `${MAX_INPUT_FILES_BYTES}\n` });
        // Split over two files: the limit is on the total.
        const half = MAX_INPUT_FILES_BYTES / 2;
        const split = await run(SIZE_OF, {
          args: ['a', 'b'],
          files: [
            { ...fileOf(half, encoding), path: 'a' },
            { ...fileOf(half, encoding), path: 'b' },
          ],
        });
        expect(split).toMatchObject({ status: 'succeeded', stdout: `${MAX_INPUT_FILES_BYTES}\n` });
        const over = await request('POST', '/v1/executions', {
          code: SIZE_OF,
          files: [fileOf(MAX_INPUT_FILES_BYTES + 1, encoding)],
        });
        expect(over.status).toBe(400);
        expect(over.body.message).toEqual([`files must total at most ${MAX_INPUT_FILES_BYTES} bytes`]);
      },
      120_000,
    );
  }

  hostile('a path beneath main.py is a 400 naming the field, not a job that fails in the service', async () => {
    const response = await request('POST', '/v1/executions?wait=true', {
      code: 'print(1)',
      files: [{ path: 'main.py/x', content: 'x' }],
    });
    expect(response.status).toBe(400);
    expect(response.body.message).toEqual(['files.0.path "main.py" is where the code itself goes']);
  });

  hostile(
    'inputs that do not fit in limits.memoryMb end as oom, never as a retried service error',
    async () => {
      const result = await run(SIZE_OF, {
        args: ['data.bin'],
        files: [fileOf(MAX_INPUT_FILES_BYTES, 'base64')],
        limits: { memoryMb: 32 },
      });
      expect(result.status).toBe('oom');
      expect(result.error).toBeUndefined();
    },
    120_000,
  );
});
