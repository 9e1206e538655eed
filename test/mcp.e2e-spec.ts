import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { datascienceSpec } from '../libs/environments/src/builtin-environments';
import { SandboxClient, type BuildLogEvent } from '@sps/client';
import { adminKey, baseUrl, createKey, request } from './support/api-client';

/*
 * The MCP endpoint through the SDK's own client and Streamable HTTP
 * transport, as an agent's MCP host would connect: same keys, same quotas,
 * same sandboxes as REST.
 */

type Content = { type: string; text?: string; data?: string; mimeType?: string };
type ToolAnswer = { content: Content[]; isError?: boolean };

const connect = async (key: string | null): Promise<Client> => {
  const client = new Client({ name: 'sps-e2e', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl()}/mcp`), {
    requestInit: key === null ? {} : { headers: { authorization: `Bearer ${key}` } },
  });
  await client.connect(transport);
  return client;
};

const call = async (client: Client, name: string, args: Record<string, unknown>): Promise<ToolAnswer> =>
  (await client.callTool({ name, arguments: args }, undefined, { timeout: 5 * 60_000 })) as ToolAnswer;

const textOf = (answer: ToolAnswer): string => answer.content.find((c) => c.type === 'text')?.text ?? '';

describe('MCP at /mcp', () => {
  let client: Client;
  beforeAll(async () => {
    client = await connect(adminKey());
  });
  afterAll(async () => {
    await client?.close();
  });

  it('lists its tools, with descriptions and JSON schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'close_session',
      'create_session',
      'list_environments',
      'run_in_session',
      'run_python',
    ]);
    expect(tools.find((t) => t.name === 'run_in_session')!.inputSchema).toMatchObject({
      type: 'object',
      required: ['sessionId', 'code'],
      additionalProperties: false,
    });
    const run = tools.find((t) => t.name === 'run_python')!;
    expect(run.description).toMatch(/stdout/);
    expect(run.inputSchema).toMatchObject({
      type: 'object',
      required: ['code'],
      additionalProperties: false,
      properties: {
        code: { type: 'string' },
        environment: { type: 'string' },
        files: { type: 'array' },
        timeoutMs: { type: 'integer' },
      },
    });
  });

  it('runs Python with input files and returns status, stdout and stderr as text', async () => {
    const answer = await call(client, 'run_python', {
      code: 'import sys\nprint(open("data/in.txt").read().upper())\nprint("note", file=sys.stderr)',
      files: [{ path: 'data/in.txt', content: 'shout' }],
    });
    expect(answer.isError).toBeFalsy();
    expect(answer.content).toHaveLength(1);
    const text = textOf(answer);
    expect(text).toMatch(/^status: succeeded/);
    expect(text).toContain('stdout:\nSHOUT\n');
    expect(text).toContain('stderr:\nnote\n');
  });

  it('answers a failing program as a tool error with its traceback', async () => {
    const answer = await call(client, 'run_python', { code: 'raise ValueError("bad input")' });
    expect(answer.isError).toBe(true);
    expect(textOf(answer)).toMatch(/^status: failed: the program exited with code 1/);
    expect(textOf(answer)).toContain('ValueError: bad input');
  });

  it('answers a timeout as a tool error that says the limit and what to do', async () => {
    const answer = await call(client, 'run_python', { code: 'while True: pass', timeoutMs: 1500 });
    expect(answer.isError).toBe(true);
    expect(textOf(answer)).toMatch(
      /^status: timeout after 1500 ms: the program was killed\. Make it faster, or pass a larger timeoutMs \(at most \d+\)/,
    );
  });

  it('answers invalid arguments as tool errors naming the argument', async () => {
    const tooLong = await call(client, 'run_python', { code: 'print(1)', timeoutMs: 10_000_000 });
    expect(tooLong.isError).toBe(true);
    expect(textOf(tooLong)).toMatch(/^invalid arguments: timeoutMs must not be greater than \d+/);
    const badPath = await call(client, 'run_python', {
      code: 'print(1)',
      files: [{ path: '../escape', content: 'x' }],
    });
    expect(badPath.isError).toBe(true);
    expect(textOf(badPath)).toContain('files.0.path');
    const unknown = await call(client, 'run_python', { code: 'print(1)', network: true });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/network/);
    const unknownEnv = await call(client, 'run_python', { code: 'print(1)', environment: 'no-such-env' });
    expect(unknownEnv.isError).toBe(true);
    expect(textOf(unknownEnv)).toMatch(/unknown environment "no-such-env".*list_environments/);
  });

  it('lists the environments', async () => {
    const answer = await call(client, 'list_environments', {});
    expect(answer.isError).toBeFalsy();
    expect(JSON.parse(textOf(answer))).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'default', ready: true })]),
    );
  });

  it("applies the key's quotas: a key with its executions in flight gets a tool error with the retry time", async () => {
    const { key } = await createKey('mcp-inflight', { quotas: { maxInFlight: 1 } });
    // The one slot is taken over REST: the quota is the key's, whatever the protocol.
    const held = await fetch(`${baseUrl()}/v1/executions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'import time\ntime.sleep(20)', limits: { timeoutMs: 30_000 } }),
    });
    expect(held.status).toBe(202);
    const { id } = (await held.json()) as { id: string };
    const limited = await connect(key);
    try {
      const answer = await call(limited, 'run_python', { code: 'print(1)' });
      expect(answer.isError).toBe(true);
      expect(textOf(answer)).toMatch(/retry in \d+ s$/);
    } finally {
      await limited.close();
      await fetch(`${baseUrl()}/v1/executions/${id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${key}` },
      });
    }
  });

  describe('sessions', () => {
    const sessionIdOf = (answer: ToolAnswer): string => {
      const id = /session ([0-9a-f-]{36}) is ready/.exec(textOf(answer))?.[1];
      if (!id) throw new Error(`no session id in ${JSON.stringify(answer)}`);
      return id;
    };

    it('keeps state across run_in_session calls, returns values and PNG displays, and survives a timeout', async () => {
      const created = await call(client, 'create_session', { timeoutMs: 20_000 });
      expect(created.isError).toBeFalsy();
      expect(textOf(created)).toMatch(/20000 ms per cell/);
      const sessionId = sessionIdOf(created);
      try {
        const first = await call(client, 'run_in_session', { sessionId, code: 'x = 41\nprint("set")' });
        expect(first.isError).toBeFalsy();
        expect(textOf(first)).toBe('status: succeeded\n\nstdout:\nset\n\n\nstderr:\n(empty)');
        const second = await call(client, 'run_in_session', { sessionId, code: 'x += 1\nx' });
        expect(textOf(second)).toContain('result:\n42');

        // A PNG from the standard library, shown with display(): it comes back as image content.
        const picture = await call(client, 'run_in_session', {
          sessionId,
          code: [
            'import struct, zlib',
            'def chunk(kind, data):',
            '    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))',
            'class Picture:',
            '    def _repr_png_(self):',
            '        header = struct.pack(">IIBBBBB", 4, 3, 8, 2, 0, 0, 0)',
            '        rows = b"".join(b"\\x00" + b"\\x00\\x80\\xff" * 4 for _ in range(3))',
            '        return b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")',
            'display(Picture(), "caption")',
          ].join('\n'),
        });
        expect(picture.isError).toBeFalsy();
        expect(textOf(picture)).toContain("display (text/plain):\n'caption'");
        const images = picture.content.filter((c) => c.type === 'image');
        expect(images).toHaveLength(1);
        const png = Buffer.from(images[0].data!, 'base64');
        expect(images[0].mimeType).toBe('image/png');
        expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([4, 3]);

        const slow = await call(client, 'run_in_session', { sessionId, code: 'while True: pass', timeoutMs: 1500 });
        expect(slow.isError).toBe(true);
        expect(textOf(slow)).toMatch(
          /^status: timeout after 1500 ms; the session is still alive, with its variables\. Make the cell faster, or pass a larger timeoutMs \(at most \d+\)/,
        );
        expect(textOf(await call(client, 'run_in_session', { sessionId, code: 'x' }))).toContain('result:\n42');

        const failed = await call(client, 'run_in_session', { sessionId, code: 'undefined_name' });
        expect(failed.isError).toBe(true);
        expect(textOf(failed)).toMatch(/^status: failed: the cell raised an exception .*; the session is still alive/);
        expect(textOf(failed)).toContain("NameError: name 'undefined_name' is not defined");
      } finally {
        const closed = await call(client, 'close_session', { sessionId });
        expect(closed).toEqual({ content: [{ type: 'text', text: `session ${sessionId} is closed` }] });
      }
      const after = await call(client, 'run_in_session', { sessionId, code: 'x' });
      expect(after.isError).toBe(true);
      expect(textOf(after)).toBe(`session ${sessionId} is closed: deleted; create a new one with create_session`);
    });

    it("refuses another key's session as one that does not exist, and an unknown one, with what to do", async () => {
      const sessionId = sessionIdOf(await call(client, 'create_session', {}));
      const { key } = await createKey('mcp-other');
      const other = await connect(key);
      try {
        for (const [tool, args] of [
          ['run_in_session', { sessionId, code: 'print("not mine")' }],
          ['close_session', { sessionId }],
        ] as const) {
          const refused = await call(other, tool, args);
          expect(refused.isError).toBe(true);
          expect(textOf(refused)).toMatch(new RegExp(`^session ${sessionId} not found: .*; `));
        }
        const unknown = await call(other, 'run_in_session', { sessionId: 'no-such-session', code: '1' });
        expect(textOf(unknown)).toMatch(
          /^session no-such-session not found: .*; create a new one with create_session$/,
        );
        // Still the owner's, and untouched.
        expect(textOf(await call(client, 'run_in_session', { sessionId, code: '6 * 7' }))).toContain('result:\n42');
      } finally {
        await other.close();
        await call(client, 'close_session', { sessionId });
      }
    });

    it('answers invalid session arguments, and a key at its session quota, as tool errors', async () => {
      const invalid = await call(client, 'create_session', { memoryMb: 10_000_000 });
      expect(invalid.isError).toBe(true);
      expect(textOf(invalid)).toMatch(/^invalid arguments: memoryMb must not be greater than \d+/);
      const { key } = await createKey('mcp-sessions', { quotas: { maxSessions: 0 } });
      const limited = await connect(key);
      try {
        const refused = await call(limited, 'create_session', {});
        expect(refused.isError).toBe(true);
        expect(textOf(refused)).toMatch(/sessions open .*; retry in \d+ s$/);
      } finally {
        await limited.close();
      }
    });
  });

  it('refuses a client without a key, or with a wrong one, with 401', async () => {
    await expect(connect(null)).rejects.toThrow(/401|Unauthorized|API key is required/);
    await expect(connect('not-a-key')).rejects.toThrow(/401|Unauthorized|not valid/);
    const raw = await fetch(`${baseUrl()}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    expect(raw.status).toBe(401);
    expect(raw.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it("refuses a body larger than an execution's with 413, before parsing it", async () => {
    const response = await request(
      'POST',
      '/mcp',
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"run_python","arguments":{"code":"${'x'.repeat(40 * 1024 * 1024)}"}}}`,
      {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
    );
    expect(response.status).toBe(413);
    expect(response.body.message).toMatch(/^the body is larger than this route accepts \(\d+ bytes\)$/);
  });

  it(
    'returns a datascience plot saved with plt.savefig, and the figure it left open, as image content',
    async () => {
      // The built-in recipe, built here when no earlier test or `npm run image:datascience` already did.
      const created = await request('POST', '/v1/environments', { name: 'datascience', ...datascienceSpec('apt') });
      expect([200, 202]).toContain(created.status);
      const admin = new SandboxClient({ baseUrl: baseUrl(), apiKey: adminKey() });
      let end: BuildLogEvent | undefined;
      for await (const event of admin.environments.follow('datascience', { signal: AbortSignal.timeout(30 * 60_000) }))
        if (event.type === 'end') end = event;
      expect(end).toEqual({ type: 'end', status: 'ready', error: null });

      const answer = await call(client, 'run_python', {
        environment: 'datascience',
        timeoutMs: 60_000,
        code: [
          'import matplotlib.pyplot as plt, numpy as np',
          'x = np.linspace(0, 6.28, 100)',
          'fig, ax = plt.subplots(figsize=(3, 2), dpi=100)',
          'ax.plot(x, np.sin(x))',
          'fig.savefig("plot.png")',
          'print("saved")',
        ].join('\n'),
      });
      expect(answer.isError).toBeFalsy();
      expect(textOf(answer)).toContain('stdout:\nsaved\n');
      expect(textOf(answer)).toMatch(/plot\.png \(\d+ bytes, PNG, shown below\)/);
      // The saved file first, then the figure still open when the program ended, returned as a display.
      const images = answer.content.filter((c) => c.type === 'image');
      expect(images).toHaveLength(2);
      for (const image of images) {
        expect(image.mimeType).toBe('image/png');
        const png = Buffer.from(image.data!, 'base64');
        expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
        expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
        expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([300, 200]);
      }
    },
    31 * 60_000,
  );
});
