import { Logger } from '@nestjs/common';
import type { SandboxConfig, SessionConfig } from '@sps/config';
import type {
  ReproducibilityStamp,
  SessionExecution,
  SessionExecutions,
  SessionFileAnswer,
  SessionFileOp,
  SessionOp,
  SessionRecord,
  SessionRecords,
  SessionReplies,
} from '@sps/queue';
import {
  AttachedContainer,
  CellOutput,
  ContainerExit,
  encodePayload,
  FileReply,
  FileRequest,
  Frame,
  FrameDecoder,
  parseExitRecord,
  parseFileReply,
  ProtocolError,
} from '@sps/sandbox';
import type { ContainerDisposer } from '../runtime/container-disposer.service';
import type { ExecutionOutputTap } from '../runtime/execution-output.tap';
import { CellEnding, cellReport, interpreterDeath } from './cell-report';

type CellOp = Extract<SessionOp, { kind: 'cell' }>;

/** What a live session needs from the worker around it. */
export interface LiveSessionContext {
  records: SessionRecords;
  executions: SessionExecutions;
  replies: SessionReplies;
  tap: ExecutionOutputTap;
  disposer: ContainerDisposer;
  sandbox: SandboxConfig;
  sessions: SessionConfig;
  workerId: string;
  /** How long a new container's runner may take to start the session. */
  readyTimeoutMs: number;
  /** Called once, when the session has ended and its container is gone. */
  onEnded: (session: LiveSession) => void;
}

interface RunningCell {
  op: CellOp;
  output: CellOutput;
  startedAt: Date;
  timer: NodeJS.Timeout;
}

// The runner interrupts a cell at its time limit and kills the interpreter a second later; this backstop
// kills the container if the runner does neither (it shares a uid with the user's code).
const RUNNER_GRACE_MS = 1000 + 1500;
const EXIT_WAIT_MS = 2000;
const FRAME_OVERHEAD_BYTES = 2 + 65_535;
/** A listed file in a listing's JSON: a path of at most 1024 bytes, escaped, and its size. */
const LISTED_FILE_BYTES = 6 * 1024 + 64;
const STAT_PREFIX = 'stat:';

/**
 * One session this worker holds: its container, its runner's stream, and its
 * cells, run one at a time in the order they came. It ends once, however it
 * ends (closed, dead or lost), and then fails whatever still waited and
 * removes its container.
 */
export class LiveSession {
  private readonly logger = new Logger(LiveSession.name);
  private container: AttachedContainer | null = null;
  private reproducibility: ReproducibilityStamp | null = null;
  private readonly decoder: FrameDecoder;
  private readonly waiting: CellOp[] = [];
  private cell: RunningCell | null = null;
  private readonly replyHandlers = new Map<string, (reply: FileReply) => void>();
  private starting: { resolve: () => void; reject: (error: Error) => void } | null = null;
  private ending: { status: 'closed' | 'dead' | 'lost'; reason: string } | null = null;
  private ended: Promise<void> | null = null;
  private idleTimer: NodeJS.Timeout | undefined;
  private lifetimeTimer: NodeJS.Timeout | undefined;
  private stats = 0;
  /** Set when the worker shuts down: the cell running may finish, no other starts. */
  private holding = false;

  constructor(
    readonly record: SessionRecord,
    private readonly context: LiveSessionContext,
  ) {
    const { sandbox, sessions } = context;
    // The largest frames: a file read back, a display as large as the output cap, or a listing of paths.
    const listing = sessions.maxListedFiles * LISTED_FILE_BYTES;
    this.decoder = new FrameDecoder(
      Math.max(sandbox.maxOutputFileBytes, record.limits.outputBytes, listing) + FRAME_OVERHEAD_BYTES,
    );
  }

  get id(): string {
    return this.record.id;
  }

  get running(): boolean {
    return this.cell !== null;
  }

  /** Running a cell, or with cells waiting. */
  get busy(): boolean {
    return this.cell !== null || this.waiting.length > 0;
  }

  get isEnded(): boolean {
    return this.ending !== null;
  }

  /**
   * Sends the session payload to a started container (warm or cold) and
   * resolves once its runner has written the files and started the interpreter.
   */
  open(
    container: AttachedContainer,
    files: { path: string; data: string }[],
    reproducibility: ReproducibilityStamp,
  ): Promise<void> {
    this.container = container;
    this.reproducibility = reproducibility;
    const opened = new Promise<void>((resolve, reject) => (this.starting = { resolve, reject }));
    const timer = setTimeout(
      () => this.failStart(new Error(`its runner did not start within ${this.context.readyTimeoutMs} ms`)),
      this.context.readyTimeoutMs,
    );
    container.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    container.stdout.once('end', () => void this.onStreamEnd());
    container.stdout.resume(); // a warm container's stream was paused after its ready frame
    container.stderr.resume(); // runner diagnostics are not part of any result
    container.write(encodePayload({ session: true, files }));
    return opened.finally(() => clearTimeout(timer));
  }

  /** Starts the lifetime clock and the idle clock; called once the session is ready. */
  startClocks(): void {
    const lifetimeLeft = Date.parse(this.record.expiresAt) - Date.now();
    this.lifetimeTimer = setTimeout(
      () => void this.end('closed', `its lifetime of ${this.record.maxLifetimeSeconds} s ended`),
      Math.max(0, lifetimeLeft),
    );
    this.restartIdleClock();
  }

  enqueueCell(op: CellOp): void {
    if (this.ending) {
      void this.failCell(op, `the session ended before the cell ran: ${this.ending.reason}`);
      return;
    }
    this.waiting.push(op);
    clearTimeout(this.idleTimer);
    this.runNext();
  }

  /** Sends a file request to the runner, which answers it at once, even while a cell runs. */
  fileOp(op: SessionFileOp): void {
    if (this.ending || !this.container) {
      void this.answer(op.requestId, { ok: false, refusal: 'ended', reason: this.ending?.reason ?? 'not started' });
      return;
    }
    const { sandbox, sessions } = this.context;
    let request: FileRequest;
    if (op.kind === 'put') request = { op: 'put', id: op.requestId, path: op.path, data: op.data };
    else if (op.kind === 'get')
      request = { op: 'get', id: op.requestId, path: op.path, maxBytes: sandbox.maxOutputFileBytes };
    else request = { op: 'list', id: op.requestId, maxEntries: sessions.maxListedFiles };
    this.replyHandlers.set(op.requestId, (reply) => {
      if (!reply.ok) return void this.answer(op.requestId, { ok: false, refusal: reply.error });
      void this.answer(
        op.requestId,
        { ok: true, size: reply.size, files: reply.files, truncated: reply.truncated },
        reply.content,
      );
    });
    this.container.write(encodePayload(request));
  }

  /** Lets the cell running now finish, and starts no other: they end with the session. */
  hold(): void {
    this.holding = true;
  }

  /** Asks the runner for the container's memory use now, and records it; only while idle. */
  refreshMemory(): void {
    if (this.ending || !this.container || this.busy) return;
    const id = `${STAT_PREFIX}${++this.stats}`;
    this.replyHandlers.set(id, (reply) => {
      if (reply.ok && reply.memoryBytes !== undefined)
        this.context.records.setMemory(this.id, reply.memoryBytes).catch(() => undefined);
    });
    this.container.write(encodePayload({ op: 'stat', id }));
  }

  /**
   * Ends the session, once: records its end (unless it was ended elsewhere
   * already, as a delete or the reaper does), fails the cell running and
   * those waiting, answers file requests still open, and removes the container.
   */
  end(status: 'closed' | 'dead' | 'lost', reason: string, recorded = false): Promise<void> {
    this.ended ??= this.teardown(status, reason, recorded);
    return this.ended;
  }

  private async teardown(status: 'closed' | 'dead' | 'lost', reason: string, recorded: boolean): Promise<void> {
    this.ending = { status, reason };
    clearTimeout(this.idleTimer);
    clearTimeout(this.lifetimeTimer);
    this.logger.log(`session ${this.id}: ${status}: ${reason}`);
    const { records, disposer } = this.context;
    this.failStart(new Error(reason));
    // What waited on the session is answered first, with its own words, then the session's end is recorded.
    const failures: Promise<void>[] = [];
    if (this.cell) {
      const { op, timer } = this.cell;
      clearTimeout(timer);
      this.cell = null;
      void this.context.tap.finished(op.executionId);
      failures.push(
        this.failCell(op, `the session ${status === 'closed' ? 'was closed' : 'ended'} while the cell ran: ${reason}`),
      );
    }
    for (const op of this.waiting.splice(0)) {
      failures.push(this.failCell(op, `the session ended before the cell ran: ${reason}`));
    }
    for (const id of [...this.replyHandlers.keys()]) {
      this.replyHandlers.delete(id);
      if (!id.startsWith(STAT_PREFIX)) failures.push(this.answer(id, { ok: false, refusal: 'ended', reason }));
    }
    await Promise.all(failures);
    if (!recorded) await records.end(this.record, status, reason).catch((e: Error) => this.warn(e));
    if (this.container) await disposer.removeNow(this.container, `session ${this.id}`);
    await records.markRemoved(this.id).catch((e: Error) => this.warn(e));
    this.context.onEnded(this);
  }

  private runNext(): void {
    if (this.cell || !this.waiting.length || this.ending || this.holding || !this.container || this.starting) return;
    const op = this.waiting.shift()!;
    const { records, executions, sandbox } = this.context;
    const output = new CellOutput({ outputBytes: this.record.limits.outputBytes, maxDisplays: sandbox.maxDisplays });
    const startedAt = new Date();
    const timer = setTimeout(() => void this.finishCell('deadline'), op.timeoutMs + RUNNER_GRACE_MS);
    this.cell = { op, output, startedAt, timer };
    this.context.tap.started(op.executionId, this.record.limits.outputBytes);
    this.container.write(
      encodePayload({
        op: 'cell',
        id: op.executionId,
        code: op.code,
        stdin: Buffer.from(op.stdin, 'utf8').toString('base64'),
        timeoutMs: op.timeoutMs,
        outputBytes: this.record.limits.outputBytes,
        maxDisplays: sandbox.maxDisplays,
      }),
    );
    // Sent on the one connection in this order, after the cell went to the runner: the running state lands before the result.
    records.move(this.id, ['ready', 'busy'], 'busy').catch((e: Error) => this.warn(e));
    executions
      .write(this.execution(op, { kind: 'running', startedAt: startedAt.toISOString() }))
      .catch((e: Error) => this.warn(e));
  }

  private async finishCell(ending: CellEnding): Promise<void> {
    const cell = this.cell;
    if (!cell || !this.container) return;
    this.cell = null;
    clearTimeout(cell.timer);
    if (ending !== 'done' && ending !== 'ended') this.container.kill().catch(() => undefined);
    const container = ending === 'ended' ? await this.exitOf(this.container) : null;
    const { run, death } = cellReport({
      executionId: cell.op.executionId,
      ending,
      output: cell.output,
      container,
      startedAt: cell.startedAt,
      finishedAt: new Date(),
      workerId: this.context.workerId,
      reproducibility: this.reproducibility,
    });
    const { records, executions, tap } = this.context;
    void tap.finished(cell.op.executionId); // its last output is sent before the result, on the same connection
    const written = executions.write(this.execution(cell.op, { kind: 'ran', run })).catch((e: Error) => this.warn(e));
    tap.stored(cell.op.executionId); // after the result on the same connection
    // Ended at once, before the runner's last frame is read, so the session's reason names this cell.
    if (death) return void (await Promise.all([written, this.end('dead', death)]));
    const done = records
      .cellDone(this.record, this.waiting.length ? 'busy' : 'ready', new Date(), cell.output.record?.memoryBytes ?? 0)
      .catch((e: Error) => this.warn(e));
    if (!this.waiting.length) this.restartIdleClock();
    this.runNext();
    await Promise.all([written, done]);
  }

  private onData(chunk: Buffer): void {
    try {
      for (const frame of this.decoder.push(chunk)) this.route(frame);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.logger.warn(`session ${this.id}: ${error.message}`);
      if (this.cell) void this.finishCell('protocol');
      else void this.end('dead', "the session's runner sent a stream the worker could not read");
    }
  }

  private route(frame: Frame): void {
    switch (frame.type) {
      case 'R':
        return; // a cold container's ready signal, before it read the payload
      case 'A': {
        const starting = this.starting;
        this.starting = null;
        starting?.resolve();
        return this.runNext();
      }
      case 'Q':
        return this.onReply(frame.body);
      case 'X':
        return this.onInterpreterExit(frame.body);
      default: {
        const cell = this.cell;
        if (!cell) throw new ProtocolError(`a ${frame.type} frame with no cell running`);
        cell.output.accept(frame);
        this.context.tap.forward(cell.op.executionId, frame);
        if (cell.output.record) {
          if (cell.output.record.id !== cell.op.executionId) throw new ProtocolError('a record for another cell');
          void this.finishCell('done');
        } else if (cell.output.outputLimitHit) void this.finishCell('output_limit');
      }
    }
  }

  private onReply(body: Buffer): void {
    const reply = parseFileReply(body, this.context.sessions.maxListedFiles);
    const handler = this.replyHandlers.get(reply.id);
    if (!handler) throw new ProtocolError('an answer to no request');
    this.replyHandlers.delete(reply.id);
    handler(reply);
  }

  /** The runner's last word: its interpreter is gone (while starting, the payload was refused). */
  private onInterpreterExit(body: Buffer): void {
    const exit = parseExitRecord(body);
    if (this.starting) return this.failStart(new Error(exit.error ?? 'its runner refused the session'));
    // A cell that died with it ended the session already, from its own record. A runner that failed at
    // its own part says so in `error` (one older than this worker would not know a session's requests).
    if (!this.ending) void this.end('dead', exit.error ? `its runner failed: ${exit.error}` : interpreterDeath(exit));
  }

  private async onStreamEnd(): Promise<void> {
    if (this.starting) return this.failStart(new Error('its container stopped before the session started'));
    if (this.cell) return this.finishCell('ended');
    if (!this.ending) {
      const exit = this.container ? await this.exitOf(this.container) : null;
      await this.end(
        'dead',
        exit?.oomKilled ? "the session's container ran out of memory (oom)" : "the session's container stopped",
      );
    }
  }

  private failStart(error: Error): void {
    const starting = this.starting;
    this.starting = null;
    starting?.reject(error);
  }

  private restartIdleClock(): void {
    clearTimeout(this.idleTimer);
    if (this.ending) return;
    const seconds = this.record.idleTimeoutSeconds;
    this.idleTimer = setTimeout(() => void this.end('closed', `idle for ${seconds} s`), seconds * 1000);
  }

  private execution(op: CellOp, state: SessionExecution['state']): SessionExecution {
    return {
      id: op.executionId,
      sessionId: this.id,
      ownerKeyId: op.ownerKeyId,
      createdAt: op.createdAt,
      environment: this.record.environment,
      state,
    };
  }

  private failCell(op: CellOp, error: string): Promise<void> {
    return this.context.executions
      .write(this.execution(op, { kind: 'failed', error, finishedAt: new Date().toISOString() }))
      .catch((e: Error) => this.warn(e));
  }

  private answer(requestId: string, answer: SessionFileAnswer, content?: Buffer): Promise<void> {
    return this.context.replies.put(requestId, answer, content).catch((e: Error) => this.warn(e));
  }

  private async exitOf(container: AttachedContainer): Promise<ContainerExit | null> {
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), EXIT_WAIT_MS));
    return Promise.race([container.inspectExit().catch(() => null), timeout]);
  }

  private warn(error: Error): void {
    this.logger.warn(`session ${this.id}: ${error.message}`);
  }
}
