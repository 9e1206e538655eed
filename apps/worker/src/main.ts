import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import 'reflect-metadata';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: false });
  app.enableShutdownHooks();
  new Logger('Worker').log('worker started');
}

bootstrap().catch((error) => {
  console.error(`worker failed to start: ${error?.message ?? error}`);
  process.exit(1);
});
