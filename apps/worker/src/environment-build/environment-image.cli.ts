import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { AppConfig, AppConfigModule } from '@sps/config';
import {
  DATASCIENCE_ENVIRONMENT,
  DATASCIENCE_SOURCES,
  DatascienceSource,
  datascienceSpec,
  DEFAULT_ENVIRONMENT,
  normalizeSpec,
  planVersion,
} from '@sps/environments';
import { ContainerRuntime, SandboxModule } from '@sps/sandbox';
import { BuildNetworkResolver } from './build-network.resolver';
import { EnvironmentImageBuilder } from './environment-image-builder.service';

/**
 * `npm run image:datascience [-- --source apt|conda]`: builds the built-in
 * datascience image on this host's engine with the worker's own build code,
 * under the tag a worker would give it. A worker that later gets the build
 * job (the API adds datascience to the catalogue on first start) finds the
 * image and marks it ready at once. Needs Docker, not Redis or the API.
 */
@Module({
  imports: [AppConfigModule.forWorker(), SandboxModule],
  providers: [EnvironmentImageBuilder, BuildNetworkResolver],
})
class EnvironmentImageCliModule {}

const parseSource = (args: string[], fallback: string): DatascienceSource => {
  const i = args.indexOf('--source');
  const value = i >= 0 ? args[i + 1] : fallback === 'off' ? 'apt' : fallback;
  if (!(DATASCIENCE_SOURCES as readonly string[]).includes(value))
    throw new Error(`--source must be one of ${DATASCIENCE_SOURCES.join(', ')}`);
  return value as DatascienceSource;
};

async function main(): Promise<void> {
  const [name = DATASCIENCE_ENVIRONMENT, ...args] = process.argv.slice(2);
  if (name !== DATASCIENCE_ENVIRONMENT)
    throw new Error(
      `only the built-in "${DATASCIENCE_ENVIRONMENT}" can be built here; create others through POST /v1/environments`,
    );
  const app = await NestFactory.createApplicationContext(EnvironmentImageCliModule, { logger: ['error', 'warn'] });
  try {
    const config = app.get(ConfigService<AppConfig, true>);
    const source = parseSource(args, config.get('environments.datascience', { infer: true }));
    const baseImage = config.get('sandbox.image', { infer: true });
    if (!(await app.get(ContainerRuntime).imageExists(baseImage)))
      throw new Error(`the default image ${baseImage} is missing: run npm run image:base first`);
    const version = planVersion(
      normalizeSpec(datascienceSpec(source)),
      { name: DEFAULT_ENVIRONMENT, specHash: null },
      `cli-${process.pid}`,
    );
    const builder = app.get(EnvironmentImageBuilder);
    const existing = await builder.existing(name, version.specHash);
    const built =
      existing ??
      (await builder.build(name, version, baseImage, (lines) => lines.forEach((line) => console.log(line))));
    console.log(
      `[image] ${existing ? 'already built' : 'built'}: ${built.image} (${source} packages, spec ${version.specHash}, ${(built.sizeBytes / 1e6).toFixed(0)} MB)`,
    );
  } finally {
    await app.close();
  }
}

main().catch((error: Error) => {
  console.error(`[image] ${error?.message ?? String(error)}`);
  process.exit(1);
});
