import { HttpException, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AppConfig } from '@sps/config';
import { ExecutionResult, isFinalStatus, QueueFullError } from '@sps/queue';
import { RedisUnavailableError } from '@sps/redis';
import { z } from 'zod';
import type { Principal } from '../auth/principal';
import { EnvironmentsService } from '../environments/environments.service';
import { CreateExecutionDto } from '../executions/dto/create-execution.dto';
import { ExecutionRequestPolicy } from '../executions/execution-request.policy';
import { ExecutionsService } from '../executions/executions.service';
import { TooManyRequestsException } from '../http/too-many-requests.exception';
import { CreateSessionExecutionDto } from '../sessions/dto/create-session-execution.dto';
import { CreateSessionDto } from '../sessions/dto/create-session.dto';
import { SessionExecutionsService } from '../sessions/session-executions.service';
import { SessionsService } from '../sessions/sessions.service';
import { createValidationPipe } from '../validation/validation.pipe';
import { runPythonResult, type ToolResult } from './run-python.result';
import { sessionCellResult } from './session-cell.result';

const RUN_PYTHON_INPUT = z
  .object({
    code: z
      .string()
      .describe('Python 3 source, run as main.py in the working directory. print() what you want to see.'),
    environment: z
      .string()
      .optional()
      .describe(
        'The environment to run in: "default" (the standard library only) unless list_environments shows a better one, e.g. "datascience" for numpy, pandas, matplotlib and scipy.',
      ),
    files: z
      .array(
        z
          .object({
            path: z.string().describe('Relative path under the working directory, e.g. "data/in.csv".'),
            content: z.string().describe('The file content.'),
            encoding: z
              .enum(['utf8', 'base64'])
              .optional()
              .describe('How content is encoded: utf8 (default) or base64.'),
          })
          .strict(),
      )
      .optional()
      .describe('Input files to write beside the code before it runs.'),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Wall-time limit in milliseconds; the server default when left out.'),
  })
  .strict();

type RunPythonInput = z.infer<typeof RUN_PYTHON_INPUT>;

const SESSION_ID = z.string().describe('The id create_session returned.');

const CREATE_SESSION_INPUT = z
  .object({
    environment: RUN_PYTHON_INPUT.shape.environment,
    timeoutMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        "Each cell's wall-time limit in milliseconds, unless run_in_session passes its own; the server default when left out.",
      ),
    memoryMb: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("The session's memory limit in MB, for everything it keeps; the server default when left out."),
    idleTimeoutSeconds: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Close the session after this many seconds without a call; the server default when left out.'),
  })
  .strict();

const RUN_IN_SESSION_INPUT = z
  .object({
    sessionId: SESSION_ID,
    code: z
      .string()
      .describe(
        "Python 3 source, run in the session's namespace: variables, imports and functions of earlier calls are there. The value of a last expression is returned, as at a Python prompt.",
      ),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("This cell's wall-time limit in milliseconds; the session's when left out."),
  })
  .strict();

type CreateSessionInput = z.infer<typeof CREATE_SESSION_INPUT>;
type RunInSessionInput = z.infer<typeof RUN_IN_SESSION_INPUT>;

/** What a model should do when a session it names is not there (any more). */
const SESSION_HINT = 'create a new one with create_session';

const INSTRUCTIONS =
  'Runs Python code in locked-down containers: no network, a memory and time limit. run_python runs each call in a fresh ' +
  'container, nothing kept between calls; save plots with plt.savefig("plot.png") to get them back as images. For work ' +
  'in steps, create_session starts an interpreter that keeps its variables between run_in_session calls; close_session ' +
  'ends it.';

/** The tools of the MCP endpoint. They go through the same services, policies and quotas as the REST routes. */
@Injectable()
export class McpTools {
  private readonly logger = new Logger(McpTools.name);
  private readonly waitCapMs: number;
  private readonly validation = createValidationPipe();

  constructor(
    private readonly executions: ExecutionsService,
    private readonly policy: ExecutionRequestPolicy,
    private readonly environments: EnvironmentsService,
    private readonly sessions: SessionsService,
    private readonly cells: SessionExecutionsService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.waitCapMs = config.get('api.waitCapMs', { infer: true });
  }

  /**
   * A server for one request of one caller: the transport is stateless, so
   * nothing outlives the request. Sandbox sessions need no MCP session
   * either: their tools take the session id as an argument, and the sessions
   * service refuses another key's as it does over REST. `gone` fires when the
   * caller hangs up.
   */
  serverFor(owner: Principal, gone: AbortSignal): McpServer {
    const server = new McpServer({ name: 'simplepysandbox', version: '1.0.0' }, { instructions: INSTRUCTIONS });
    server.registerTool(
      'run_python',
      {
        title: 'Run Python',
        description:
          'Runs Python 3 code in a fresh sandbox and returns its status, stdout and stderr as text, plus every PNG file it wrote ' +
          '(e.g. plt.savefig("plot.png")) as an image. No network; files written under the working directory come back. ' +
          'A failure (exception, timeout, out of memory) is returned as an error with what to change.',
        inputSchema: RUN_PYTHON_INPUT,
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      },
      (input) => this.guard(() => this.runPython(input, owner, gone)),
    );
    server.registerTool(
      'list_environments',
      {
        title: 'List environments',
        description:
          'Lists the environments run_python can use (its `environment` argument): their names, whether they are ready, ' +
          "and the packages each adds to Python's standard library.",
        inputSchema: z.object({}).strict(),
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      () => this.guard(() => this.listEnvironments()),
    );
    server.registerTool(
      'create_session',
      {
        title: 'Create a Python session',
        description:
          'Starts a Python interpreter in its own sandbox that keeps its variables, imports and files between run_in_session ' +
          'calls, and returns its sessionId. It closes after a while without calls, or at the end of its lifetime (both in ' +
          'the answer); call close_session when done, since each key may hold only a few open.',
        inputSchema: CREATE_SESSION_INPUT,
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      },
      (input) => this.guard(() => this.createSession(input, owner)),
    );
    server.registerTool(
      'run_in_session',
      {
        title: 'Run Python in a session',
        description:
          'Runs Python 3 code in a session made by create_session, with everything earlier calls defined. Returns the ' +
          'status, stdout, stderr and the value of the last expression as text, and figures left open or shown with ' +
          'display() as images. A failure says whether the session is still alive; after a timeout it usually is.',
        inputSchema: RUN_IN_SESSION_INPUT,
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      },
      (input) => this.guard(() => this.runInSession(input, owner, gone), SESSION_HINT),
    );
    server.registerTool(
      'close_session',
      {
        title: 'Close a Python session',
        description: 'Closes a session made by create_session: its interpreter, variables and files are gone.',
        inputSchema: z.object({ sessionId: SESSION_ID }).strict(),
        annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      },
      ({ sessionId }) => this.guard(() => this.closeSession(sessionId, owner), 'nothing to close'),
    );
    return server;
  }

  private async createSession(input: CreateSessionInput, owner: Principal): Promise<ToolResult> {
    const { environment, timeoutMs, memoryMb, idleTimeoutSeconds } = input;
    const limits = {
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(memoryMb !== undefined ? { memoryMb } : {}),
    };
    const dto = (await this.validation.transform(
      {
        ...(environment !== undefined ? { environment } : {}),
        ...(Object.keys(limits).length ? { limits } : {}),
        ...(idleTimeoutSeconds !== undefined ? { idleTimeoutSeconds } : {}),
      },
      { type: 'body', metatype: CreateSessionDto },
    )) as CreateSessionDto;
    const session = await this.sessions.create(dto, owner);
    const text = [
      `session ${session.id} is ready: environment ${session.environment}, ${session.limits.memoryMb} MB, ${session.limits.timeoutMs} ms per cell unless run_in_session passes timeoutMs.`,
      `Pass sessionId "${session.id}" to run_in_session: variables, imports and files are kept between calls.`,
      `It closes after ${session.idleTimeoutSeconds} s without a call, and at ${session.expiresAt} at the latest; call close_session when done.`,
    ].join('\n');
    return { content: [{ type: 'text', text }] };
  }

  private async runInSession(input: RunInSessionInput, owner: Principal, gone: AbortSignal): Promise<ToolResult> {
    const { sessionId, ...cell } = input;
    const dto = (await this.validation.transform(cell, {
      type: 'body',
      metatype: CreateSessionExecutionDto,
    })) as CreateSessionExecutionDto;
    const session = await this.sessions.open(sessionId, owner);
    let result: ExecutionResult = await this.cells.submit(sessionId, dto, owner, true);
    while (!isFinalStatus(result.status)) {
      // There is no stopping one cell: it runs on, and the session stays usable after it.
      if (gone.aborted) return toolError(`the client went away; cell ${result.id} runs on in session ${sessionId}`);
      result = await this.cells.get(sessionId, result.id, owner, true);
    }
    const after = result.status === 'succeeded' ? session : await this.sessions.owned(sessionId, owner);
    return sessionCellResult(result, {
      timeoutMs: dto.timeoutMs ?? session.limits.timeoutMs,
      memoryMb: session.limits.memoryMb,
      outputBytes: session.limits.outputBytes,
      maxTimeoutMs: owner.quotas.maxLimits.timeoutMs,
      session: after,
    });
  }

  private async closeSession(sessionId: string, owner: Principal): Promise<ToolResult> {
    await this.sessions.remove(sessionId, owner);
    return { content: [{ type: 'text', text: `session ${sessionId} is closed` }] };
  }

  private async runPython(input: RunPythonInput, owner: Principal, gone: AbortSignal): Promise<ToolResult> {
    const { timeoutMs, ...rest } = input;
    const dto = (await this.validation.transform(
      { ...rest, ...(timeoutMs !== undefined ? { limits: { timeoutMs } } : {}) },
      { type: 'body', metatype: CreateExecutionDto },
    )) as CreateExecutionDto;
    const limits = this.policy.requestLimits(dto, owner);
    let result: ExecutionResult = await this.executions.submit(dto, owner, true);
    while (!isFinalStatus(result.status)) {
      if (gone.aborted) {
        // Nobody will read the result: stop the job rather than let it hold a slot.
        await this.executions.cancelOrDelete(result.id, owner).catch(() => undefined);
        return toolError(`the client went away; execution ${result.id} was cancelled`);
      }
      result = await this.executions.waitForFinal(result.id, owner, this.waitCapMs);
    }
    return runPythonResult(result, { limits, maxTimeoutMs: owner.quotas.maxLimits.timeoutMs });
  }

  private async listEnvironments(): Promise<ToolResult> {
    const all = await this.environments.list();
    const summary = all.map((e) => ({
      name: e.name,
      // A version that is ready keeps running jobs while a newer one builds.
      ready: e.name === 'default' || e.activeSpecHash !== null,
      status: e.status,
      ...(e.spec ? { packages: { apt: e.spec.apt, pip: e.spec.pip, conda: e.spec.conda } } : {}),
      ...(e.error ? { error: e.error } : {}),
    }));
    return { content: [{ type: 'text', text: JSON.stringify(summary, null, 2) }] };
  }

  /**
   * Refusals become tool errors a model can act on; anything unexpected is
   * logged and answered without its details. `goneHint` says what to do
   * about a session that is not there (404) or has ended (410).
   */
  private async guard(tool: () => Promise<ToolResult>, goneHint?: string): Promise<ToolResult> {
    try {
      return await tool();
    } catch (error) {
      if (error instanceof TooManyRequestsException)
        return toolError(`${messageOf(error)}; retry in ${error.retryAfterSeconds} s`);
      if (error instanceof HttpException) {
        const status = error.getStatus();
        const prefix = status === 400 ? 'invalid arguments: ' : '';
        const hint = goneHint && (status === 404 || status === 410) ? `; ${goneHint}` : '';
        // The tools take limits at the top level; the shared validation names them where REST has them.
        return toolError(prefix + messageOf(error).replace(/\blimits\.(\w+)/g, '$1') + hint);
      }
      if (error instanceof QueueFullError) return toolError(`${error.message}; retry in ${error.retryAfterSeconds} s`);
      if (error instanceof RedisUnavailableError) return toolError(error.message);
      this.logger.error(`an MCP tool failed: ${error instanceof Error ? error.stack : String(error)}`);
      return toolError('the service failed while running the tool; try again');
    }
  }
}

const toolError = (text: string): ToolResult => ({ content: [{ type: 'text', text }], isError: true });

const messageOf = (error: HttpException): string => {
  const message = (error.getResponse() as { message?: string | string[] }).message ?? error.message;
  return Array.isArray(message) ? message.join('; ') : message;
};
