import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
// The store nestjs-pino reads on every log call; its package index does not re-export it.
import { storage, Store } from 'nestjs-pino/storage';

/**
 * Runs work with extra fields (such as a job id) on every log line written
 * inside it, by any class through its Nest Logger, across awaits.
 */
@Injectable()
export class LogContext {
  constructor(private readonly pino: PinoLogger) {}

  run<T>(bindings: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
    // Outside any context, `logger` is the root logger.
    return storage.run(new Store(this.pino.logger.child(bindings)), work);
  }
}
