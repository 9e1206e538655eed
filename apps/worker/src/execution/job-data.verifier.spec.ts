import { EnvReader, readApiConfig, readSandboxConfig } from '@sps/config';
import type { ExecutionJobData } from '@sps/queue';
import { UnrecoverableError } from 'bullmq';
import { JobDataVerifier } from './job-data.verifier';

const sandbox = readSandboxConfig(new EnvReader({ SANDBOX_MAX_CPUS: '1', SANDBOX_MAX_MEMORY_MB: '512' }));
const api = readApiConfig(new EnvReader({ MAX_CODE_BYTES: '2048', MAX_INPUT_FILES: '2', MAX_INPUT_FILES_BYTES: '8' }));
const SETTINGS: Record<string, unknown> = { sandbox, api, 'worker.id': 'worker-7' };
const verifier = new JobDataVerifier({ get: (key: string) => SETTINGS[key] } as never);

const job = (fields: Record<string, unknown> = {}): ExecutionJobData => ({
  ownerKeyId: 'key-1',
  code: 'print(1)',
  stdin: '',
  args: ['a'],
  files: [{ path: 'in.txt', data: Buffer.from('hello').toString('base64') }],
  limits: sandbox.defaults,
  network: false,
  environment: 'default',
  createdAt: '2030-01-01T00:00:00.000Z',
  ...fields,
});

const limits = (overrides: Record<string, unknown>) => ({ ...sandbox.defaults, ...overrides });

describe('JobDataVerifier', () => {
  it('passes a job the API would have made, at the maxima included', () => {
    expect(verifier.problems(job())).toEqual([]);
    expect(verifier.problems(job({ limits: sandbox.max, code: 'x'.repeat(2048) }))).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['timeoutMs', { timeoutMs: 60_001 }, "limits.timeoutMs is 60001, above this worker's maximum of 60000"],
    ['memoryMb', { memoryMb: 513 }, "limits.memoryMb is 513, above this worker's maximum of 512"],
    ['cpus', { cpus: 1.5 }, "limits.cpus is 1.5, above this worker's maximum of 1"],
    ['pids', { pids: 100_000 }, "limits.pids is 100000, above this worker's maximum of 512"],
    [
      'outputBytes',
      { outputBytes: 2 ** 30 },
      `limits.outputBytes is ${2 ** 30}, above this worker's maximum of 8388608`,
    ],
    ['memoryMb below its minimum', { memoryMb: 4 }, 'limits.memoryMb is 4, below the minimum of 32'],
    ['pids as a string', { pids: '64' }, 'limits.pids is not an integer'],
    ['a fractional timeout', { timeoutMs: 1.5 }, 'limits.timeoutMs is not an integer'],
    ['cpus missing', { cpus: undefined }, 'limits.cpus is not a number'],
  ])('refuses a rewritten limit: %s', (_label, overrides, problem) => {
    expect(verifier.problems(job({ limits: limits(overrides) }))).toEqual([problem]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['code over its maximum', { code: 'x'.repeat(2049) }, 'code is over 2048 bytes'],
    ['code that is not text', { code: { evil: true } }, 'code is not text'],
    ['stdin over its maximum', { stdin: 'x'.repeat(1024 * 1024 + 1) }, 'stdin is over 1048576 bytes'],
    ['too many args', { args: Array(257).fill('a') }, 'args has more than 256 entries'],
    ['an arg with NUL', { args: ['a\0b'] }, 'args holds an entry that is not text of at most 4096 bytes without NUL'],
    ['too many files', { files: Array(3).fill({ path: 'a', data: '' }) }, 'files has more than 2 entries'],
    [
      'files over their total',
      { files: [{ path: 'a', data: Buffer.alloc(9).toString('base64') }] },
      'files total over 8 bytes',
    ],
    [
      'a file path out of the sandbox',
      { files: [{ path: '../x', data: '' }] },
      'files.0.path must not contain "." or ".." segments',
    ],
    ['a file over the code', { files: [{ path: 'main.py', data: '' }] }, 'files.0.path is where the code goes'],
    ['a file beneath the code', { files: [{ path: 'main.py/x', data: '' }] }, 'files.0.path is where the code goes'],
    [
      'file content that is not base64',
      { files: [{ path: 'a', data: 'not base64!' }] },
      'files.0 holds no base64 content',
    ],
    ['network as a string', { network: 'true' }, 'network is not true or false'],
    ['no creation time', { createdAt: 'yesterday' }, 'createdAt is not a time'],
  ])('refuses rewritten inputs: %s', (_label, overrides, problem) => {
    expect(verifier.problems(job(overrides))).toEqual([problem]);
  });

  it('names every problem at once, in an error that ends the job for good', () => {
    const bad = job({ limits: limits({ memoryMb: 4096, pids: 4096 }), code: 'x'.repeat(4096) });
    expect(() => verifier.verify(bad)).toThrow(
      new UnrecoverableError(
        "refused by worker worker-7: limits.memoryMb is 4096, above this worker's maximum of 512; " +
          "limits.pids is 4096, above this worker's maximum of 512; code is over 2048 bytes",
      ),
    );
  });
});
