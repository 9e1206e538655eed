import { Module } from '@nestjs/common';
import { ContainerRuntime } from './container-runtime';
import { DockerContainerRuntime } from './docker-container-runtime';

@Module({
  providers: [{ provide: ContainerRuntime, useClass: DockerContainerRuntime }],
  exports: [ContainerRuntime],
})
export class SandboxModule {}
