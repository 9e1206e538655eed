import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { CPU_COUNT, type AppConfig, type SandboxConfig, type SandboxLimits } from '@sps/config';
import { executionResult, identityOf, RunReport, type ExecutionJobData, type ExecutionResult } from '@sps/queue';
import {
  AttachedContainer,
  ContainerExit,
  ContainerRuntime,
  encodePayload,
  FrameDecoder,
  ProtocolError,
  RunnerOutput,
} from '@sps/sandbox';
import { UnrecoverableError } from 'bullmq';
import { EnvironmentImageResolver } from '../environment-build/environment-image-resolver.service';
import { CancellationService } from '../runtime/cancellation.service';
import { ContainerDisposer } from '../runtime/container-disposer.service';
import { ExecutionOutputTap } from '../runtime/execution-output.tap';
import { JobInterruptedError } from '../runtime/job-interrupted.error';
import { classifyOutcome, Ending } from './outcome-classifier';
import { SandboxFaultError } from './sandbox-fault.error';
import { SandboxSpecs } from './sandbox-specs.service';
import { WarmPool } from './warm-pool.service';

// The runner enforces the time limit itself and reports; this backstop kills
// the container if the runner cannot (it shares a uid with the user's code).
const DEADLINE_GRACE_MS = 1500;
const EXIT_WAIT_MS = 2000;
const FRAME_OVERHEAD_BYTES = 2 + 65_535;

/** Runs one job in a sandbox container, warm or cold, and turns what came back into its result. */
@Injectable()
export class ExecutionRunnerService {
  private readonly logger = new Logger(ExecutionRunnerService.name);
  private readonly sandbox: SandboxConfig;
  private readonly workerId: string;

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly images: EnvironmentImageResolver,
    private readonly cancellations: CancellationService,
    private readonly pool: WarmPool,
    private readonly disposer: ContainerDisposer,
    private readonly specs: SandboxSpecs,
    private readonly tap: ExecutionOutputTap,
    config: ConfigService<AppConfig, true>,
  ) {
    this.sandbox = config.get('sandbox', { infer: true });
    this.workerId = config.get('worker.id', { infer: true });
  }

  async run(jobId: string, data: ExecutionJobData): Promise<ExecutionResult> {
    const identity = identityOf(jobId, data);
    // The API checks the limit against its own host's CPUs; a job it let through that this host cannot give is refused, never shrunk.
    if (data.limits.cpus > CPU_COUNT) {
      throw new UnrecoverableError(
        `limits.cpus is ${data.limits.cpus}, more than the ${CPU_COUNT} CPUs of worker ${this.workerId}`,
      );
    }
    const image = await this.images.imageFor(data.environment, data.createdAt);
    if (data.network && !this.sandbox.allowNetwork) {
      throw new UnrecoverableError('network access is disabled on this worker');
    }
    if (await this.cancellations.isRequested(jobId)) {
      return executionResult(identity, {
        kind: 'cancelled',
        finishedAt: new Date().toISOString(),
        workerId: this.workerId,
      });
    }
    const signal = this.cancellations.track(jobId);
    const startedAt = new Date();
    try {
      if (signal.reason instanceof JobInterruptedError) throw signal.reason;
      const warm = await this.pool.take(data.environment, image, data.limits, data.network);
      const container = warm ?? (await this.start(jobId, image, data));
      try {
        const run = await this.supervise(jobId, container, data, signal, startedAt);
        // Killed because this worker is going away, not because anyone cancelled it.
        if (signal.reason instanceof JobInterruptedError) throw signal.reason;
        return executionResult(identity, { kind: 'ran', run });
      } finally {
        this.disposer.dispose(container, `job ${jobId}`);
      }
    } finally {
      this.cancellations.untrack(jobId);
    }
  }

  private async start(jobId: string, image: string, data: ExecutionJobData): Promise<AttachedContainer> {
    const spec = this.specs.sandboxSpecFor({
      id: jobId,
      image,
      limits: data.limits,
      network: data.network,
      lifetimeMs: data.limits.timeoutMs,
    });
    try {
      return await this.runtime.startAttached(spec);
    } catch (error) {
      this.logger.error(`job ${jobId}: could not start a container: ${String(error)}`);
      throw new SandboxFaultError('the container engine could not start a sandbox');
    }
  }

  /** Sends the job to the runner and reports what came back. */
  private async supervise(
    jobId: string,
    container: AttachedContainer,
    data: ExecutionJobData,
    signal: AbortSignal,
    startedAt: Date,
  ): Promise<RunReport> {
    const caps = {
      outputBytes: data.limits.outputBytes,
      maxFiles: this.sandbox.maxOutputFiles,
      maxFileBytes: this.sandbox.maxOutputFileBytes,
      maxTotalFileBytes: this.sandbox.maxOutputTotalBytes,
      maxDisplays: this.sandbox.maxDisplays,
    };
    const output = new RunnerOutput(caps);
    container.write(
      encodePayload({
        code: data.code,
        stdin: Buffer.from(data.stdin, 'utf8').toString('base64'),
        args: data.args,
        files: data.files,
        timeoutMs: data.limits.timeoutMs,
        ...caps,
      }),
    );
    const ending = await this.watch(jobId, container, output, data.limits, signal);
    if (ending === 'ended' && !output.accepted) {
      // Dead before it read the job (killed from outside, engine trouble): retry elsewhere.
      throw new SandboxFaultError('the sandbox container stopped before it could take the job');
    }
    const containerExit = ending === 'ended' ? await this.exitOf(container) : null;
    const classification = classifyOutcome({ ending, exit: output.exit, container: containerExit });
    const finishedAt = new Date();
    let stderr = output.stderr.text();
    if (ending === 'protocol') stderr += '\n[sandbox] the program corrupted the result stream\n';
    return {
      ...classification,
      stdout: output.stdout.text(),
      stderr,
      stdoutTruncated: output.stdout.truncated || output.exit?.stdoutTruncated === true,
      stderrTruncated: output.stderr.truncated || output.exit?.stderrTruncated === true,
      files: output.files.map((f) => ({ path: f.path, size: f.content.length, content: f.content.toString('base64') })),
      filesTruncated: output.filesTruncated || output.exit?.filesTruncated === true,
      displays: output.displays.displays,
      displaysTruncated: output.displays.truncated || output.exit?.displaysTruncated === true,
      usage: {
        wallMs: output.exit?.wallMs ?? finishedAt.getTime() - startedAt.getTime(),
        cpuMs: output.exit?.cpuMs ?? 0,
        peakMemoryBytes: output.exit?.peakMemoryBytes ?? 0,
      },
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      workerId: this.workerId,
    };
  }

  /** Reads frames until the exit record, the end of the stream, a limit, or a cancel. */
  private watch(
    jobId: string,
    container: AttachedContainer,
    output: RunnerOutput,
    { timeoutMs, outputBytes }: SandboxLimits,
    signal: AbortSignal,
  ): Promise<Ending> {
    const deadlineMs = timeoutMs + DEADLINE_GRACE_MS;
    // The largest frame is a file or a display, whose data the output cap bounds.
    const decoder = new FrameDecoder(Math.max(this.sandbox.maxOutputFileBytes, outputBytes) + FRAME_OVERHEAD_BYTES);
    return new Promise<Ending>((resolve) => {
      let settled = false;
      const settle = (ending: Ending, kill: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        container.stdout.off('data', onData);
        if (kill) container.kill().catch(() => undefined);
        resolve(ending);
      };
      const onData = (chunk: Buffer) => {
        try {
          for (const frame of decoder.push(chunk)) {
            output.accept(frame);
            this.tap.forward(jobId, frame);
          }
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
          return settle('protocol', true);
        }
        if (output.exit) settle('exited', false);
        else if (output.outputLimitHit) settle('output_limit', true);
      };
      const onAbort = () => settle('cancelled', true);
      const timer = setTimeout(() => settle('deadline', true), deadlineMs);
      signal.addEventListener('abort', onAbort);
      container.stdout.on('data', onData);
      container.stdout.once('end', () => settle('ended', false));
      container.stdout.resume(); // a warm container's stream was paused after its ready frame
      container.stderr.resume(); // runner diagnostics are not part of the result
      if (signal.aborted) onAbort();
    });
  }

  private async exitOf(container: AttachedContainer): Promise<ContainerExit | null> {
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), EXIT_WAIT_MS));
    return Promise.race([container.inspectExit().catch(() => null), timeout]);
  }
}
