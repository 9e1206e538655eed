import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppLogger } from '@sps/logging';
import { IdleCollector } from '@sps/runtime';
import { WorkerShutdownService } from './shutdown/worker-shutdown.service';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(AppLogger));
  const logger = new Logger('Worker');
  // Not Nest's shutdown hooks: they would close Redis and Docker under the running jobs.
  // Drain first, with everything still up; then close the modules; then exit 0.
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    try {
      await app.get(WorkerShutdownService).drain(signal);
      await app.close();
      logger.log('stopped');
      process.exit(0);
    } catch (error) {
      logger.error(`shutdown failed: ${(error as Error)?.stack ?? String(error)}`);
      process.exit(1);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, (s) => void stop(s));
  logger.log('worker started');
  IdleCollector.start(); // garbage is collected between jobs, not in the middle of one
}

bootstrap().catch((error: Error) => {
  console.error(`worker failed to start: ${error?.message ?? String(error)}`);
  process.exit(1);
});
