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
import { createValidationPipe } from '../validation/validation.pipe';
import { runPythonResult, type ToolResult } from './run-python.result';

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

const INSTRUCTIONS =
  'Runs Python code in a fresh, locked-down container per call: no network, a memory and time limit, nothing kept between ' +
  'calls. Use run_python to compute, test or plot; save plots with plt.savefig("plot.png") to get them back as images.';

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
    config: ConfigService<AppConfig, true>,
  ) {
    this.waitCapMs = config.get('api.waitCapMs', { infer: true });
  }

  /**
   * A server for one request of one caller: the transport is stateless, so
   * nothing outlives the request. Sessions, once the service has them, need
   * no MCP session either: create_session, run_in_session and close_session
   * will take the session id as an argument and register here beside these.
   * `gone` fires when the caller hangs up.
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
    return server;
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

  /** Refusals become tool errors a model can act on; anything unexpected is logged and answered without its details. */
  private async guard(tool: () => Promise<ToolResult>): Promise<ToolResult> {
    try {
      return await tool();
    } catch (error) {
      if (error instanceof TooManyRequestsException)
        return toolError(`${messageOf(error)}; retry in ${error.retryAfterSeconds} s`);
      if (error instanceof HttpException) {
        const prefix = error.getStatus() === 400 ? 'invalid arguments: ' : '';
        // The tool takes timeoutMs at the top level; the shared validation names it where REST has it.
        return toolError(prefix + messageOf(error).replace(/\blimits\.timeoutMs\b/g, 'timeoutMs'));
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
