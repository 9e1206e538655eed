import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createHttpApp, listen } from './http-app.factory';

async function bootstrap(): Promise<void> {
  const app = await createHttpApp();
  await listen(app);
  new Logger('Api').log(`listening on ${await app.getUrl()}`);
}

bootstrap().catch((error) => {
  console.error(`api failed to start: ${error?.message ?? error}`);
  process.exit(1);
});
