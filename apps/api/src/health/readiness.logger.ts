import { Injectable, Logger, LoggerService } from '@nestjs/common';

const SAME_FAILURE_QUIET_MS = 60_000;
const PREFIX = 'Health Check has failed! ';

/**
 * Terminus logs every failed readiness probe as an error. Not being ready (yet,
 * or for a while) is a state that /health/ready reports, not a fault of this
 * process: it is logged as a warning naming what is down, and the same failure
 * at most once a minute, so probes every few seconds do not flood the log.
 */
@Injectable()
export class ReadinessLogger implements LoggerService {
  private readonly logger = new Logger('Health');
  private last = { text: '', at: 0 };

  error(message: unknown): void {
    const text = `not ready: ${describeFailure(String(message))}`;
    const now = Date.now();
    if (text === this.last.text && now - this.last.at < SAME_FAILURE_QUIET_MS) return;
    this.last = { text, at: now };
    this.logger.warn(text);
  }

  log(message: unknown): void {
    this.logger.log(message);
  }

  warn(message: unknown): void {
    this.logger.warn(message);
  }
}

/** Terminus's message ends with the checks as JSON: name the ones that are down, with their own message. */
const describeFailure = (message: string): string => {
  if (!message.startsWith(PREFIX)) return message;
  try {
    const checks = JSON.parse(message.slice(PREFIX.length)) as Record<string, { status?: string; message?: string }>;
    const down = Object.entries(checks).filter(([, check]) => check?.status === 'down');
    return down.map(([name, check]) => (check.message ? `${name} (${check.message})` : name)).join(', ') || message;
  } catch {
    return message;
  }
};
