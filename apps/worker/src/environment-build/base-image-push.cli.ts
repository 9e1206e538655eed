import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { AppConfig, AppConfigModule } from '@sps/config';
import { ContainerRuntime, SandboxModule } from '@sps/sandbox';
import { ImageRegistry } from './image-registry.service';

/**
 * `npm run image:base -- --push`: pushes the default image (SANDBOX_IMAGE) to
 * REGISTRY_URL under the same name, with the worker's own registry code and
 * credentials. A worker with REGISTRY_URL that lacks the default image pulls
 * it from there at start. Needs Docker, not Redis or the API.
 */
@Module({
  imports: [AppConfigModule.forWorker(), SandboxModule],
  providers: [ImageRegistry],
})
class BaseImagePushCliModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(BaseImagePushCliModule, { logger: ['error', 'warn'] });
  try {
    const image = app.get(ConfigService<AppConfig, true>).get('sandbox.image', { infer: true });
    const registry = app.get(ImageRegistry);
    if (!registry.url)
      throw new Error('set REGISTRY_URL (and REGISTRY_USERNAME, REGISTRY_PASSWORD if it asks) to push');
    if (!(await app.get(ContainerRuntime).imageExists(image))) throw new Error(`${image} is not on this Docker engine`);
    const digest = await registry.push(image);
    console.log(`[image] pushed ${registry.remote(image)} (${digest})`);
  } finally {
    await app.close();
  }
}

main().catch((error: Error) => {
  console.error(`[image] ${error?.message ?? String(error)}`);
  process.exit(1);
});
