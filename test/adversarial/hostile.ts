import { request, run } from '../support/api-client';

/** What every hostile case ends with: the service still runs an ordinary job, and says it is ready. */
export const expectServiceHealthy = async (): Promise<void> => {
  const result = await run('print("still healthy")');
  expect(result).toMatchObject({ status: 'succeeded', exitCode: 0, stdout: 'still healthy\n', stderr: '' });
  const ready = await request('GET', '/health/ready');
  expect(ready.status).toBe(200);
};

/**
 * One case of the adversarial suite: the hostile input and the assertions on
 * its exact outcome, then the health check. That no sandbox container is left
 * behind is checked after every end-to-end test (test/support/no-leftover-containers.ts).
 */
export const hostile = (name: string, body: () => Promise<void>, timeoutMs = 60_000): void => {
  it(
    name,
    async () => {
      await body();
      await expectServiceHealthy();
    },
    timeoutMs,
  );
};

/** Python that prints one JSON line; the tests parse it with `reportOf`. */
export const REPORT = 'import json, os, sys\ndef report(value):\n    print(json.dumps(value))\n';

export const reportOf = (result: { stdout: string }): any => {
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
};
