import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig, SandboxConfig, SandboxLimits } from '@sps/config';
import {
  NO_OUTPUT,
  storedReportOf,
  type ExecutionJobData,
  type ReproducibilityStamp,
  type RunOutput,
  type StoredReport,
} from '@sps/queue';
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
import { JobDataVerifier } from './job-data.verifier';
import { SandboxSpecs } from './sandbox-specs.service';
import { WarmPool } from './warm-pool.service';

// The runner enforces the time limit itself and reports; this backstop kills
// the container if the runner cannot (it shares a uid with the user's code).
const DEADLINE_GRACE_MS = 1500;
const EXIT_WAIT_MS = 2000;
const FRAME_OVERHEAD_BYTES = 2 + 65_535;
/** Warm containers found dead when a job came (killed from outside while idle) are passed over this many times, then the job runs cold. */
const WARM_TRIES = 3;
const RELABEL_AFTER_MS = 100;
/**
 * How long a job's container is left alone after its result is stored, before
 * it is removed and the pool refilled: the engine's work for both then does not
 * share the CPU with the result's way to its caller. The runner stays idle until
 * then (it ends only when the container is removed).
 */
const RESULT_HANDOFF_MS = 25;

/** How a job ended in its sandbox: the report to store, and the output's bytes beside it. */
export interface FinishedRun {
  report: StoredReport;
  output: RunOutput;
}

/** A warm container that ended before it took the job: nothing ran, so the job goes to another at once. */
class DeadBeforeJob extends Error {}

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
    private readonly verifier: JobDataVerifier,
    private readonly tap: ExecutionOutputTap,
    config: ConfigService<AppConfig, true>,
  ) {
    this.sandbox = config.get('sandbox', { infer: true });
    this.workerId = config.get('worker.id', { infer: true });
  }

  /**
   * Runs the job and hands how it ended to `record`, whose answer it returns.
   * The container is removed only after `record` is done, and RESULT_HANDOFF_MS
   * later: removal costs the engine CPU that the result's way to its caller should not share.
   */
  async run<T>(jobId: string, data: ExecutionJobData, record: (run: FinishedRun) => Promise<T>): Promise<T> {
    // Before anything else: what the job says was read from Redis. A job over a limit is refused, never shrunk.
    this.verifier.verify(data);
    const { image, stamp } = await this.images.imageFor(data.environment, data.createdAt);
    if (data.network && !this.sandbox.allowNetwork) {
      throw new UnrecoverableError('network access is disabled on this worker');
    }
    // Watched first, then the flag read: a cancel published before the watch began has set the flag already.
    const signal = this.cancellations.track(jobId);
    try {
      if (await this.cancellations.isRequested(jobId)) {
        const report = storedReportOf({
          kind: 'cancelled',
          finishedAt: new Date().toISOString(),
          workerId: this.workerId,
        });
        return await record({ report, output: NO_OUTPUT });
      }
      const startedAt = new Date();
      this.tap.started(jobId, data.limits.outputBytes);
      for (let tries = 0; ; tries++) {
        if (signal.reason instanceof JobInterruptedError) throw signal.reason;
        const warm =
          tries < WARM_TRIES ? await this.pool.take(data.environment, image, data.limits, data.network) : null;
        const relabel = warm ? this.labelSoon(warm, jobId) : undefined;
        const container = warm ?? (await this.start(jobId, image, data));
        try {
          const run = await this.supervise(jobId, container, data, signal, startedAt, warm !== null, stamp);
          // Killed because this worker is going away, not because anyone cancelled it.
          if (signal.reason instanceof JobInterruptedError) throw signal.reason;
          clearTimeout(relabel);
          void this.tap.finished(jobId); // its last output is sent before the result, on the same connection
          const recorded = await record(run);
          this.tap.stored(jobId);
          if (warm) this.pool.jobEnded(RESULT_HANDOFF_MS);
          return recorded;
        } catch (error) {
          if (!(error instanceof DeadBeforeJob)) throw error;
          this.logger.warn(`job ${jobId}: a warm container was dead before it took the job; trying another`);
        } finally {
          clearTimeout(relabel);
          this.disposer.dispose(container, `job ${jobId}`, RESULT_HANDOFF_MS);
        }
      }
    } finally {
      this.cancellations.untrack(jobId);
      void this.tap.finished(jobId);
    }
  }

  /**
   * A used warm container takes the job's name, so it can be told from one
   * still waiting (labels cannot change after create). Not at once: a job over
   * within RELABEL_AFTER_MS is removed before anyone could look, and the
   * engine's work is better spent on getting its result out.
   */
  private labelSoon(container: AttachedContainer, jobId: string): NodeJS.Timeout {
    return setTimeout(() => {
      container
        .rename(this.specs.containerNameFor(jobId))
        .catch((error: Error) => this.logger.warn(`job ${jobId}: could not rename its container: ${error.message}`));
    }, RELABEL_AFTER_MS);
  }

  private async start(jobId: string, image: string, data: ExecutionJobData): Promise<AttachedContainer> {
    const spec = await this.specs.sandboxSpecFor({
      id: jobId,
      image,
      limits: data.limits,
      network: data.network,
      lifetimeMs: data.limits.timeoutMs,
    });
    try {
      return await this.runtime.startAttached(spec);
    } catch (error) {
      this.disposer.abandon(spec, error);
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
    warm: boolean,
    reproducibility: ReproducibilityStamp,
  ): Promise<FinishedRun> {
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
    const containerExit = ending === 'ended' ? await this.exitOf(container) : null;
    if (ending === 'ended' && !output.accepted && !containerExit?.oomKilled) {
      // A warm container killed while it waited: nothing ran, so another takes the job at once.
      if (warm) throw new DeadBeforeJob();
      // Dead before it read the job (killed from outside, engine trouble): retry elsewhere.
      throw new SandboxFaultError('the sandbox container stopped before it could take the job');
    }
    const classification = classifyOutcome({ ending, exit: output.exit, container: containerExit });
    const finishedAt = new Date();
    let stderr = output.stderr.bytes();
    if (ending === 'protocol')
      stderr = Buffer.concat([stderr, Buffer.from('\n[sandbox] the program corrupted the result stream\n')]);
    if (!output.accepted && containerExit?.oomKilled) {
      // Killed by the memory limit before it took the job: its inputs do not fit in limits.memoryMb.
      // That is the job's outcome (oom), not a fault of the service to retry.
      stderr = Buffer.from(`[sandbox] the inputs did not fit in limits.memoryMb (${data.limits.memoryMb} MB)\n`);
    }
    const report: StoredReport = {
      ...classification,
      stdoutTruncated: output.stdout.truncated || output.exit?.stdoutTruncated === true,
      stderrTruncated: output.stderr.truncated || output.exit?.stderrTruncated === true,
      files: output.files.map((f) => ({ path: f.path, size: f.content.length })),
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
      reproducibility,
    };
    return { report, output: { stdout: output.stdout.bytes(), stderr, files: output.files } };
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
