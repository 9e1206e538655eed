import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { IdleCollector } from '@sps/runtime';
import { createHttpApp, drainOnSignals, listen } from './http-app.factory';

async function bootstrap(): Promise<void> {
  const app = await createHttpApp();
  const logger = new Logger('Api');
  drainOnSignals(app, (message) => logger.log(message));
  await listen(app);
  logger.log(`listening on ${await app.getUrl()}`);
  IdleCollector.start(); // garbage is collected between requests, not in the middle of one
}

bootstrap().catch((error: Error) => {
  console.error(`api failed to start: ${error?.message ?? String(error)}`);
  process.exit(1);
});
