import {
  Conflict,
  Forbidden,
  IdempotencyConflict,
  NotFound,
  QuotaExceeded,
  SandboxClient,
  SandboxError,
  ServiceUnavailable,
  SessionGone,
  Unauthorized,
  Unreachable,
  ValidationFailed,
  type BuildLogEvent,
  type ExecutionEvent,
} from '@sps/client';
import { createHash, randomUUID } from 'node:crypto';
import { adminKey, baseUrl, createKey } from './support/api-client';
import { eventually } from './support/eventually';
import { PrivateRedis } from './support/private-redis';
import { privateStack } from './support/private-stack';
import { freePort } from './support/service-stack';
import { verifyStandardWebhook, WebhookReceiver } from './support/webhook-receiver';

/*
 * The typed client (libs/client) against the real service: every method,
 * and every typed error caused for real. The shared stack's wait cap is
 * 5 s, so a job that runs longer shows the client following a 202 up.
 */

const RUN = (process.env.E2E_REDIS_PREFIX ?? 'e2e').replace(/[^a-z0-9-]/g, '');
const BUILD_MS = 10 * 60_000;

const admin = () => new SandboxClient({ baseUrl: baseUrl(), apiKey: adminKey() });
const as = (apiKey: string) => new SandboxClient({ baseUrl: baseUrl(), apiKey });

/** The error a call rejects with; fails the test if it resolves. */
const failureOf = async (call: Promise<unknown>): Promise<SandboxError> => {
  try {
    await call;
  } catch (error) {
    return error as SandboxError;
  }
  throw new Error('expected the call to fail');
};

const followAll = async (client: SandboxClient, name: string, lastEventId?: string): Promise<BuildLogEvent[]> => {
  const events: BuildLogEvent[] = [];
  for await (const event of client.environments.follow(name, { lastEventId, signal: AbortSignal.timeout(BUILD_MS) }))
    events.push(event);
  return events;
};

describe('the TypeScript client', () => {
  describe('executions', () => {
    it('runs code synchronously, with stdin, args and files, and returns the final result', async () => {
      const result = await admin().run(
        'import sys\nprint(sys.argv[1:], input(), open("in.txt").read())\nopen("out.txt", "w").write("back")',
        {
          stdin: 'typed\n',
          args: ['a', 'b'],
          files: [{ path: 'in.txt', content: 'from a file' }],
        },
      );
      expect(result).toMatchObject({
        status: 'succeeded',
        exitCode: 0,
        stdout: "['a', 'b'] typed from a file\n",
        environment: 'default',
      });
      expect(result.files).toEqual([{ path: 'out.txt', size: 4, content: Buffer.from('back').toString('base64') }]);
    });

    it("follows a job that outlasts the server's wait cap (202) until it is final", async () => {
      // The shared stack holds ?wait=true for 5 s: this job runs past it.
      const result = await admin().run('import time\ntime.sleep(7)\nprint("late")', { limits: { timeoutMs: 20_000 } });
      expect(result).toMatchObject({ status: 'succeeded', stdout: 'late\n' });
      expect(result.usage!.wallMs).toBeGreaterThan(5000);
    });

    it('submits, reads and waits for an execution', async () => {
      const client = admin();
      const accepted = await client.submit('print(6 * 7)');
      expect(accepted).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'queued', replayed: false });
      const now = await client.get(accepted.id);
      expect(now.id).toBe(accepted.id);
      expect(['queued', 'running', 'succeeded']).toContain(now.status);
      const final = await client.wait(accepted.id);
      expect(final).toMatchObject({ id: accepted.id, status: 'succeeded', stdout: '42\n' });
      expect(await client.get(accepted.id)).toEqual(final);
    });

    it('cancels a running execution, then deletes it once final', async () => {
      const client = admin();
      const { id } = await client.submit('import time\ntime.sleep(30)', { limits: { timeoutMs: 40_000 } });
      await eventually('the job to run', async () => ((await client.get(id)).status === 'running' ? true : undefined));
      expect(await client.cancel(id)).toMatchObject({ id, status: 'cancelled' });
      expect(await client.cancel(id)).toBeNull();
      expect(await failureOf(client.get(id))).toBeInstanceOf(NotFound);
    });

    it("answers NotFound for an unknown id and for another key's execution", async () => {
      const missing = await failureOf(admin().get(randomUUID()));
      expect(missing).toBeInstanceOf(NotFound);
      expect(missing.message).toMatch(/not found/);
      const { key } = await createKey('client-other');
      const { id } = await admin().submit('print(1)');
      expect(await failureOf(as(key).wait(id))).toBeInstanceOf(NotFound);
      expect(await failureOf(as(key).cancel(id))).toBeInstanceOf(NotFound);
    });

    it('answers ValidationFailed with every field message', async () => {
      const error = await failureOf(
        admin().run('print(1)', {
          limits: { memoryMb: 10_000_000, timeoutMs: 10_000_000 },
          files: [{ path: '../x', content: '' }],
        }),
      );
      expect(error).toBeInstanceOf(ValidationFailed);
      const messages = (error as ValidationFailed).messages;
      expect(messages).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^limits\.timeoutMs /),
          expect.stringMatching(/^limits\.memoryMb /),
          expect.stringMatching(/^files\.0\.path /),
        ]),
      );
    });
  });

  describe('execution events', () => {
    /** Prints a numbered line every 200 ms for 2 s. */
    const TICKER = 'import time\nfor i in range(10):\n    print(f"line {i}", flush=True)\n    time.sleep(0.2)';
    const TICKER_OUTPUT = Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join('');

    const textOf = (events: ExecutionEvent[], type: 'stdout' | 'stderr') =>
      events.map((e) => (e.type === type ? e.text : '')).join('');

    /**
     * A fetch whose first event-stream answer breaks after `bytes` bytes, as a
     * dropped connection does; it notes each request's method, path and
     * Last-Event-ID.
     */
    const droppingFetch = (bytes: number) => {
      const requests: { method: string; path: string; lastEventId: string | null }[] = [];
      let dropped = false;
      const drop = async (request: Request): Promise<Response> => {
        requests.push({
          method: request.method,
          path: new URL(request.url).pathname,
          lastEventId: request.headers.get('last-event-id'),
        });
        const response = await fetch(request);
        if (dropped || !response.headers.get('content-type')?.startsWith('text/event-stream')) return response;
        dropped = true;
        const reader = response.body!.getReader();
        let sent = 0;
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            // Erroring right after an enqueue would discard it: the cut part goes out first, the break on the next read.
            if (sent >= bytes) {
              await reader.cancel();
              return controller.error(new TypeError('terminated'));
            }
            const { value, done } = await reader.read();
            if (done) return controller.close();
            controller.enqueue(value.subarray(0, bytes - sent));
            sent += value.length;
          },
        });
        return new Response(body, { status: response.status, headers: response.headers });
      };
      return { fetch: drop, requests };
    };

    it('streams status, each stdout chunk and then the result, which ends the stream', async () => {
      const client = admin();
      const { id } = await client.submit(TICKER);
      const events: ExecutionEvent[] = [];
      for await (const event of client.stream(id, { signal: AbortSignal.timeout(60_000) })) events.push(event);

      const firstStdout = events.findIndex((e) => e.type === 'stdout');
      expect(firstStdout).toBeGreaterThan(0);
      expect(firstStdout).toBeLessThan(events.length - 1);
      expect(events[0]).toMatchObject({ type: 'status', status: 'queued' });
      expect(events).toContainEqual(expect.objectContaining({ type: 'status', status: 'running' }));
      const last = events.at(-1)!;
      expect(last.type).toBe('result');
      const result = (last as Extract<ExecutionEvent, { type: 'result' }>).result;
      expect(result).toEqual(await client.get(id));
      expect(result).toMatchObject({ id, status: 'succeeded', stdout: TICKER_OUTPUT });
      expect(textOf(events, 'stdout')).toBe(result.stdout);
      // Numbered 1, 2, 3... in order.
      expect(events.map((e) => Number(e.eventId))).toEqual(events.map((_, i) => i + 1));
    });

    it('hands the first line over while the program still runs: cancelling on it ends the program as cancelled', async () => {
      const client = admin();
      // Were the output only sent with the result, this would succeed after 30 s, not be cancelled.
      const { id } = await client.submit('import time\nprint("first", flush=True)\ntime.sleep(30)\nprint("never")', {
        limits: { timeoutMs: 40_000 },
      });
      const events: ExecutionEvent[] = [];
      for await (const event of client.stream(id, { signal: AbortSignal.timeout(60_000) })) {
        events.push(event);
        if (event.type === 'stdout') expect(await client.cancel(id)).toMatchObject({ status: 'cancelled' });
      }
      expect(textOf(events, 'stdout')).toBe('first\n');
      expect(events.at(-1)).toMatchObject({ type: 'result', result: { id, status: 'cancelled', stdout: 'first\n' } });
    });

    it('resumes after an abort from lastEventId with nothing lost or repeated', async () => {
      const client = admin();
      const { id } = await client.submit(
        `import sys\n${TICKER.replace('print(f"line {i}", flush=True)', 'print(f"line {i}", flush=True)\n    print(f"err {i}", file=sys.stderr, flush=True)')}`,
      );
      const before: ExecutionEvent[] = [];
      const stop = new AbortController();
      await expect(
        (async () => {
          for await (const event of client.stream(id, { signal: stop.signal })) {
            before.push(event);
            if (before.filter((e) => e.type === 'stdout').length === 3) stop.abort();
          }
        })(),
      ).rejects.toThrow();
      const after: ExecutionEvent[] = [];
      for await (const event of client.stream(id, { lastEventId: before.at(-1)!.eventId })) after.push(event);

      const all = [...before, ...after];
      expect(all.map((e) => Number(e.eventId))).toEqual(all.map((_, i) => i + 1));
      const result = (all.at(-1) as Extract<ExecutionEvent, { type: 'result' }>).result;
      expect(result.stdout).toBe(TICKER_OUTPUT);
      expect(textOf(all, 'stdout')).toBe(result.stdout);
      expect(textOf(all, 'stderr')).toBe(result.stderr);
      expect(result.stderr).toBe(TICKER_OUTPUT.replace(/line/g, 'err'));
    });

    it('resumes by itself when the connection drops before the result, with nothing lost or repeated', async () => {
      const { fetch: drop, requests } = droppingFetch(300);
      const client = new SandboxClient({ baseUrl: baseUrl(), apiKey: adminKey(), fetch: drop });
      const { id } = await client.submit(TICKER);
      const events: ExecutionEvent[] = [];
      for await (const event of client.stream(id, { signal: AbortSignal.timeout(60_000) })) events.push(event);

      const opened = requests.filter((r) => r.path === `/v1/executions/${id}/events`);
      expect(opened).toHaveLength(2);
      expect(opened[0].lastEventId).toBeNull();
      expect(Number(opened[1].lastEventId)).toBeGreaterThan(0);
      expect(events.map((e) => Number(e.eventId))).toEqual(events.map((_, i) => i + 1));
      const result = (events.at(-1) as Extract<ExecutionEvent, { type: 'result' }>).result;
      expect(result).toMatchObject({ id, status: 'succeeded', stdout: TICKER_OUTPUT });
      expect(textOf(events, 'stdout')).toBe(result.stdout);
    });

    it('passes the output to onStdout and onStderr as it comes during run', async () => {
      const stdout: string[] = [];
      const stderr: string[] = [];
      const result = await admin().run(
        'import sys\nprint("to out", flush=True)\nprint("to err", file=sys.stderr, flush=True)\nprint(input())',
        { stdin: 'typed\n', onStdout: (text) => stdout.push(text), onStderr: (text) => stderr.push(text) },
      );
      expect(result).toMatchObject({ status: 'succeeded', stdout: 'to out\ntyped\n', stderr: 'to err\n' });
      expect(stdout.join('')).toBe(result.stdout);
      expect(stderr.join('')).toBe(result.stderr);
    });

    it('hands output to onStdout while the program runs: cancelling on the first piece ends it as cancelled', async () => {
      // A key of its own: the running execution is the one in its history.
      const { key } = await createKey('client-run-live');
      const client = as(key);
      let cancelling: Promise<unknown> | undefined;
      const result = await client.run('import time\nprint("first", flush=True)\ntime.sleep(30)\nprint("never")', {
        limits: { timeoutMs: 40_000 },
        onStdout: () => {
          cancelling ??= client.historyPage({ status: 'running' }).then(({ items }) => client.cancel(items[0].id));
        },
      });
      await cancelling;
      expect(result).toMatchObject({ status: 'cancelled', stdout: 'first\n' });
    });

    it('passes the output with the result when the answer is JSON, as from a service without events', async () => {
      // A go-between that drops the Accept header: the service answers as to a plain submit.
      const answered: (string | null)[] = [];
      const plain = async (request: Request) => {
        const headers = new Headers(request.headers);
        headers.delete('accept');
        const response = await fetch(new Request(request, { headers }));
        answered.push(response.headers.get('content-type'));
        return response;
      };
      const client = new SandboxClient({ baseUrl: baseUrl(), apiKey: adminKey(), fetch: plain });
      const stdout: string[] = [];
      const stderr: string[] = [];
      const result = await client.run('import sys\nprint("out")\nprint("err", file=sys.stderr)', {
        onStdout: (text) => stdout.push(text),
        onStderr: (text) => stderr.push(text),
      });
      expect(result).toMatchObject({ status: 'succeeded', stdout: 'out\n', stderr: 'err\n' });
      expect(stdout).toEqual([result.stdout]);
      expect(stderr).toEqual([result.stderr]);
      expect(answered[0]).toMatch(/^application\/json/);
    });

    it('resumes a run whose answer stream drops, from the events route', async () => {
      const { fetch: drop, requests } = droppingFetch(300);
      const client = new SandboxClient({ baseUrl: baseUrl(), apiKey: adminKey(), fetch: drop });
      const chunks: string[] = [];
      const result = await client.run(TICKER, { onStdout: (text) => chunks.push(text) });
      expect(result).toMatchObject({ status: 'succeeded', stdout: TICKER_OUTPUT });
      expect(chunks.join('')).toBe(result.stdout);
      expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        'POST /v1/executions',
        `GET /v1/executions/${result.id}/events`,
      ]);
      expect(Number(requests[1].lastEventId)).toBeGreaterThan(0);
    });

    it("answers NotFound for the events of an unknown id or another key's execution", async () => {
      const { key } = await createKey('client-stream-other');
      const { id } = await admin().submit('print(1)');
      const read = async (client: SandboxClient, executionId: string) => {
        for await (const event of client.stream(executionId)) void event;
      };
      expect(await failureOf(read(admin(), randomUUID()))).toBeInstanceOf(NotFound);
      expect(await failureOf(read(as(key), id))).toBeInstanceOf(NotFound);
    });

    it("streams a session cell's output and displays, ending with its result", async () => {
      const session = await admin().createSession();
      try {
        await session.run('x = 6');
        const { id } = await session.submit(
          'import sys\nprint("out")\nprint("err", file=sys.stderr)\ndisplay("shown")\nx * 7',
        );
        const events: ExecutionEvent[] = [];
        for await (const event of session.stream(id, { signal: AbortSignal.timeout(60_000) })) events.push(event);
        const result = (events.at(-1) as Extract<ExecutionEvent, { type: 'result' }>).result;
        expect(result).toMatchObject({ id, status: 'succeeded', result: { 'text/plain': '42' } });
        expect(result).toEqual(await session.get(id));
        expect(textOf(events, 'stdout')).toBe('out\n');
        expect(textOf(events, 'stderr')).toBe('err\n');
        expect(events.filter((e) => e.type === 'display').map((e) => (e as { display: unknown }).display)).toEqual(
          result.displays,
        );
        expect(result.displays).toEqual([{ mime: 'text/plain', data: "'shown'" }]);
      } finally {
        await session.close();
      }
    });
  });

  describe('idempotency, batches, multi-get and history', () => {
    it('replays a submit and a run under the same idempotency key, and refuses it with another body', async () => {
      const { key } = await createKey('client-idem');
      const client = as(key);
      const idempotencyKey = `submit-${randomUUID()}`;
      const first = await client.submit('print("once")', { idempotencyKey });
      expect(first).toMatchObject({ status: 'queued', replayed: false });
      const again = await client.submit('print("once")', { idempotencyKey });
      expect(again).toMatchObject({ id: first.id, replayed: true });

      const conflict = await failureOf(client.submit('print("twice")', { idempotencyKey }));
      expect(conflict).toBeInstanceOf(IdempotencyConflict);
      expect(conflict).toMatchObject({ status: 422 });
      expect(conflict.message).toMatch(/Idempotency-Key was already used with a different request body/);

      const runKey = `run-${randomUUID()}`;
      const ran = await client.run('import uuid\nprint(uuid.uuid4())', { idempotencyKey: runKey });
      const rerun = await client.run('import uuid\nprint(uuid.uuid4())', { idempotencyKey: runKey });
      // The same execution, not a second run: a second run would print another uuid.
      expect(rerun).toEqual(ran);
      expect(ran.stdout).toMatch(/^[0-9a-f-]{36}\n$/);

      // The key ran exactly one execution per idempotency key.
      const ids = [];
      for await (const summary of client.history()) ids.push(summary.id);
      expect(ids.sort()).toEqual([first.id, ran.id].sort());

      expect(await failureOf(client.submit('print(1)', { idempotencyKey: 'has space' }))).toBeInstanceOf(
        ValidationFailed,
      );
    });

    it('submits a batch whose ids come in order, replays it, and reads them back with getMany', async () => {
      const { key } = await createKey('client-batch');
      const client = as(key);
      const codes = ['print("a")', 'print("b")', 'import sys; sys.exit(3)'];
      const idempotencyKey = `batch-${randomUUID()}`;
      const batch = await client.submitBatch(
        codes.map((code) => ({ code })),
        { idempotencyKey },
      );
      expect(batch.ids).toHaveLength(3);
      expect(batch.replayed).toBe(false);
      expect(
        await client.submitBatch(
          codes.map((code) => ({ code })),
          { idempotencyKey },
        ),
      ).toEqual({
        ids: batch.ids,
        replayed: true,
      });
      expect(await failureOf(client.submitBatch([{ code: 'print(1)' }], { idempotencyKey }))).toBeInstanceOf(
        IdempotencyConflict,
      );

      const finals = await Promise.all(batch.ids.map((id) => client.wait(id)));
      expect(finals.map((r) => [r.status, r.stdout, r.exitCode])).toEqual([
        ['succeeded', 'a\n', 0],
        ['succeeded', 'b\n', 0],
        ['failed', '', 3],
      ]);

      const { id: theirs } = await admin().submit('print("not yours")');
      const unknown = randomUUID();
      const many = await client.getMany([batch.ids[2], unknown, batch.ids[0], theirs]);
      expect(many).toEqual([finals[2], null, finals[0], null]);
      expect(await client.getMany([])).toEqual([]);

      const refused = await failureOf(
        client.submitBatch([{ code: 'print(1)' }, { code: 'print(2)', limits: { memoryMb: 1 } }]),
      );
      expect(refused).toBeInstanceOf(ValidationFailed);
      expect((refused as ValidationFailed).messages).toEqual([
        expect.stringMatching(/^executions\.1\.limits\.memoryMb /),
      ]);
    });

    it('pages the history newest first, one page or all of it, filtered by status and environment', async () => {
      const { key } = await createKey('client-history');
      const client = as(key);
      const { ids } = await client.submitBatch([
        { code: 'print(1)' },
        { code: 'raise SystemExit(2)' },
        { code: 'print(3)' },
        { code: 'print(4)' },
        { code: 'raise SystemExit(5)' },
      ]);
      await Promise.all(ids.map((id) => client.wait(id)));

      const first = await client.historyPage({ limit: 2 });
      expect(first.items).toHaveLength(2);
      expect(first.nextCursor).toEqual(expect.any(String));
      const all = [];
      for await (const summary of client.history({ limit: 2 })) all.push(summary);
      expect(all.slice(0, 2)).toEqual(first.items);
      // Every execution once, newest first (by createdAt, then as the service orders ties).
      expect(all.map((s) => s.id).sort()).toEqual([...ids].sort());
      const created = all.map((s) => Date.parse(s.createdAt));
      expect(created).toEqual([...created].sort((a, b) => b - a));
      expect(all.every((s) => s.environment === 'default' && s.finishedAt !== undefined)).toBe(true);

      const rest = await client.historyPage({ limit: 100, cursor: first.nextCursor! });
      expect(rest).toEqual({ items: all.slice(2), nextCursor: null });

      const failed = [];
      for await (const summary of client.history({ status: 'failed' })) failed.push(summary);
      expect(failed.map((s) => [s.id, s.exitCode]).sort()).toEqual(
        [
          [ids[1], 2],
          [ids[4], 5],
        ].sort(),
      );
      expect((await client.historyPage({ environment: 'default' })).items).toHaveLength(5);
      expect(await client.historyPage({ environment: `${RUN}-none` })).toEqual({ items: [], nextCursor: null });

      const bad = await failureOf(client.historyPage({ cursor: 'not-a-cursor' }));
      expect(bad).toBeInstanceOf(ValidationFailed);
      expect((bad as ValidationFailed).messages).toEqual([expect.stringMatching(/^cursor /)]);
      expect(await failureOf(client.historyPage({ limit: 0 }))).toBeInstanceOf(ValidationFailed);
    });

    it('refuses a webhook to a loopback address, naming the field', async () => {
      const error = await failureOf(admin().submit('print(1)', { webhook: { url: 'http://127.0.0.1:9/hook' } }));
      expect(error).toBeInstanceOf(ValidationFailed);
      expect((error as ValidationFailed).messages.join('\n')).toMatch(/webhook\.url .*127\.0\.0\.1/);
    });

    it('sends the final result to the webhook given to run, where private addresses are allowed', async () => {
      const ctx = await privateStack('client-webhook', { WEBHOOK_ALLOW_PRIVATE: 'true' });
      const receiver = new WebhookReceiver();
      try {
        const url = await receiver.start();
        await ctx.stack.start(1);
        const admin = new SandboxClient({ baseUrl: ctx.stack.baseUrl, apiKey: ctx.stack.adminKey });
        // A key made by the API has a signing secret for its webhooks; the bootstrap admin key has none.
        const created = await admin.keys.create({ name: `client-hooks-${RUN}`, role: 'user' });
        const client = new SandboxClient({ baseUrl: ctx.stack.baseUrl, apiKey: created.key });
        const result = await client.run('print("hooked")', { webhook: { url } });
        expect(result.webhook).toMatchObject({ url });
        const delivered = await eventually('the webhook to be delivered', async () => {
          const now = await client.get(result.id);
          return now.webhook?.status === 'delivered' ? now : undefined;
        });
        expect(receiver.received).toHaveLength(1);
        expect(verifyStandardWebhook(created.webhookSecret, receiver.received[0])).toBe(true);
        const sent = JSON.parse(receiver.received[0].body) as { id: string; stdout: string };
        expect(sent).toMatchObject({ id: result.id, stdout: 'hooked\n' });
        expect(delivered.webhook).toMatchObject({ url, status: 'delivered', attempts: 1 });
      } finally {
        await receiver.stop();
        await ctx.cleanUp();
      }
    }, 120_000);
  });

  describe('errors of access', () => {
    it('answers Unauthorized for a key the service does not know', async () => {
      const error = await failureOf(as('not-a-real-key').run('print(1)'));
      expect(error).toBeInstanceOf(Unauthorized);
      expect(error.message).toContain('not valid');
      expect(await failureOf(new SandboxClient({ baseUrl: baseUrl() }).environments.list())).toBeInstanceOf(
        Unauthorized,
      );
    });

    it('answers Forbidden for a user key on an admin route', async () => {
      const { key } = await createKey('client-user');
      const error = await failureOf(as(key).environments.create({ name: `${RUN}-nope`, apt: ['python3-six'] }));
      expect(error).toBeInstanceOf(Forbidden);
      expect(error.status).toBe(403);
      expect(await failureOf(as(key).keys.list())).toBeInstanceOf(Forbidden);
    });

    it('answers QuotaExceeded with the Retry-After seconds', async () => {
      const { key } = await createKey('client-rate', { quotas: { ratePerMinute: 1 } });
      const client = as(key);
      await client.environments.list();
      const error = await failureOf(client.environments.list());
      expect(error).toBeInstanceOf(QuotaExceeded);
      const { retryAfter } = error as QuotaExceeded;
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(error.message).toContain(`retry in ${retryAfter} s`);
    });

    it('answers QuotaExceeded when the key has as many executions in flight as it may', async () => {
      const { key } = await createKey('client-inflight', { quotas: { maxInFlight: 1 } });
      const client = as(key);
      const { id } = await client.submit('import time\ntime.sleep(20)', { limits: { timeoutMs: 30_000 } });
      const error = await failureOf(client.submit('print(1)'));
      expect(error).toBeInstanceOf(QuotaExceeded);
      expect((error as QuotaExceeded).retryAfter).toBeGreaterThan(0);
      await client.cancel(id);
    });

    it('answers Unreachable when nothing listens at the address', async () => {
      const url = `http://127.0.0.1:${await freePort()}`;
      const error = await failureOf(new SandboxClient({ baseUrl: url, apiKey: 'x' }).run('print(1)'));
      expect(error).toBeInstanceOf(Unreachable);
      expect(error.status).toBeUndefined();
      expect(error.message).toContain(`cannot reach ${url}`);
      expect(error.message).toContain('ECONNREFUSED');
    });

    it("answers ServiceUnavailable, with Retry-After, while the service's Redis is away", async () => {
      const redis = new PrivateRedis();
      await redis.start();
      const ctx = await privateStack('client-503', { REDIS_URL: redis.url });
      try {
        await ctx.stack.start(0);
        const client = new SandboxClient({ baseUrl: ctx.stack.baseUrl, apiKey: ctx.stack.adminKey });
        expect((await client.environments.list()).map((e) => e.name)).toContain('default');
        await redis.kill();
        const error = await failureOf(client.submit('print(1)'));
        expect(error).toBeInstanceOf(ServiceUnavailable);
        expect(error.message).toMatch(/Redis.*unreachable/);
        expect((error as ServiceUnavailable).retryAfter).toBeGreaterThan(0);
      } finally {
        await ctx.cleanUp();
        await redis.stop();
      }
    }, 60_000);
  });

  describe('environments', () => {
    const name = `${RUN}-client-env`;

    it('lists environments and reads one', async () => {
      const all = await admin().environments.list();
      expect(all.find((e) => e.name === 'default')).toMatchObject({ status: 'ready', builtin: true });
      expect(await admin().environments.get('default')).toMatchObject({
        name: 'default',
        status: 'ready',
        buildLog: [],
      });
      expect(await failureOf(admin().environments.get(`${RUN}-no-such-env`))).toBeInstanceOf(NotFound);
    });

    it(
      'creates an environment and follows its build log to the end; the log can be read again from any line',
      async () => {
        const client = admin();
        const accepted = await client.environments.create({ name, apt: ['python3-six'] });
        expect(accepted).toMatchObject({ name, status: 'building', specHash: expect.stringMatching(/^[0-9a-f]{16}$/) });

        const events = await followAll(client, name);
        expect(events[0]).toMatchObject({ type: 'build', name, specHash: accepted.specHash });
        expect(events.at(-1)).toEqual({ type: 'end', status: 'ready', error: null });
        const lines = events.filter((e): e is Extract<BuildLogEvent, { type: 'log' }> => e.type === 'log');
        expect(lines.length).toBeGreaterThan(3);
        expect(lines.map((l) => l.line).join('\n')).toContain('python3-six');

        // Resuming after a line gives exactly the lines after it.
        const from = Math.floor(lines.length / 2);
        const resumed = (await followAll(client, name, lines[from].id)).filter((e) => e.type === 'log');
        expect(resumed).toEqual(lines.slice(from + 1));

        expect(await client.environments.get(name)).toMatchObject({
          name,
          status: 'ready',
          activeSpecHash: accepted.specHash,
        });
        expect(await client.run('import six; print(six.__name__)', { environment: name })).toMatchObject({
          status: 'succeeded',
          stdout: 'six\n',
        });
        // The same spec again starts nothing.
        expect(await client.environments.create({ name, apt: ['python3-six'] })).toEqual({
          name,
          status: 'ready',
          specHash: accepted.specHash,
        });
      },
      BUILD_MS,
    );

    it('refuses to remove default with Conflict, and removes an environment', async () => {
      const client = admin();
      expect(await failureOf(client.environments.remove('default'))).toBeInstanceOf(Conflict);
      await client.environments.remove(name);
      expect(await failureOf(client.environments.get(name))).toBeInstanceOf(NotFound);
      expect(await failureOf(client.environments.remove(name))).toBeInstanceOf(NotFound);
    });
  });

  describe('sessions', () => {
    it('keeps state between cells, submits and reads cells, round-trips files, and is SessionGone once closed', async () => {
      const client = admin();
      const session = await client.createSession({ files: [{ path: 'in.txt', content: 'seed' }] });
      expect(session.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.parse(session.info.createdAt));
      try {
        expect(await session.run('x = 41\nprint("set")')).toMatchObject({
          status: 'succeeded',
          stdout: 'set\n',
          result: null,
        });
        expect((await session.run('x += 1\nx')).result).toEqual({ 'text/plain': '42' });

        const accepted = await session.submit('x * 2');
        expect(accepted).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'queued' });
        const final = await session.wait(accepted.id);
        expect(final).toMatchObject({ id: accepted.id, status: 'succeeded', result: { 'text/plain': '84' } });
        expect(await session.get(accepted.id)).toEqual(final);
        expect(await failureOf(session.get(randomUUID()))).toBeInstanceOf(NotFound);

        const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256);
        expect(await session.files.upload('data/blob.bin', bytes)).toEqual({ path: 'data/blob.bin', size: 300 });
        expect(await session.files.upload('notes/a b#?.txt', 'hello')).toEqual({ path: 'notes/a b#?.txt', size: 5 });
        const read = await session.run(
          'import hashlib\nopen("out.txt", "w").write(open("in.txt").read().upper())\n' +
            'hashlib.sha256(open("data/blob.bin", "rb").read()).hexdigest(), open("notes/a b#?.txt").read()',
        );
        const digest = createHash('sha256').update(bytes).digest('hex');
        expect(read.result).toEqual({ 'text/plain': `('${digest}', 'hello')` });
        expect(Buffer.from(await session.files.download('out.txt')).toString()).toBe('SEED');
        expect(Buffer.from(await session.files.download('data/blob.bin'))).toEqual(Buffer.from(bytes));
        expect(await session.files.list()).toEqual({
          files: [
            { path: 'data/blob.bin', size: 300 },
            { path: 'in.txt', size: 4 },
            { path: 'notes/a b#?.txt', size: 5 },
            { path: 'out.txt', size: 4 },
          ],
          truncated: false,
        });
        expect(await failureOf(session.files.download('missing.txt'))).toBeInstanceOf(NotFound);
        expect(await failureOf(session.files.upload('../escape.txt', 'x'))).toBeInstanceOf(ValidationFailed);

        expect(await session.describe()).toMatchObject({ id: session.id, status: 'ready', executionCount: 4 });
        expect((await client.session(session.id)).id).toBe(session.id);
        expect((await client.listSessions()).map((s) => s.id)).toContain(session.id);
        // Another key's session is answered as one that does not exist.
        const { key } = await createKey('client-session-other');
        expect(await failureOf(as(key).session(session.id))).toBeInstanceOf(NotFound);
      } finally {
        await session.close();
      }
      const gone = await failureOf(session.run('x'));
      expect(gone).toBeInstanceOf(SessionGone);
      expect(gone).toMatchObject({ status: 410, sessionStatus: 'closed', reason: 'deleted' });
      expect(await failureOf(session.close())).toBeInstanceOf(SessionGone);
      expect(await failureOf(session.files.list())).toBeInstanceOf(SessionGone);
    });

    it('answers QuotaExceeded, with Retry-After, when the key has as many sessions open as it may', async () => {
      const { key } = await createKey('client-sessions', { quotas: { maxSessions: 1 } });
      const client = as(key);
      const session = await client.createSession();
      try {
        const error = await failureOf(client.createSession());
        expect(error).toBeInstanceOf(QuotaExceeded);
        expect(error.message).toMatch(/already has 1 sessions open/);
        expect((error as QuotaExceeded).retryAfter).toBeGreaterThan(0);
      } finally {
        await session.close();
      }
    });
  });

  describe('keys', () => {
    it('creates, lists, reads and revokes a key; a revoked key is Unauthorized', async () => {
      const client = admin();
      const created = await client.keys.create({
        name: `client-${RUN}-${Date.now()}`,
        role: 'user',
        quotas: { maxInFlight: 3 },
      });
      expect(created).toMatchObject({ role: 'user', quotas: { maxInFlight: 3 }, key: expect.any(String) });
      expect((await client.keys.list()).map((k) => k.id)).toContain(created.id);
      expect(await client.keys.get(created.id)).toMatchObject({ id: created.id, name: created.name });
      expect((await as(created.key).run('print("mine")')).stdout).toBe('mine\n');
      expect(await client.keys.revoke(created.id)).toMatchObject({ id: created.id });
      expect(await failureOf(as(created.key).run('print(1)'))).toBeInstanceOf(Unauthorized);
    });
  });
});
