import type { Readable } from 'node:stream';
import type { ContainerCreateOptions } from 'dockerode';
import type { SandboxResources } from './container-spec';

export interface EngineStatus {
  up: boolean;
  version: string | null;
}

export interface ContainerExit {
  exitCode: number | null;
  oomKilled: boolean;
}

/** A created, attached and started container. */
export interface AttachedContainer {
  readonly id: string;
  /** The container's stdout, demultiplexed: the runner's frames. */
  readonly stdout: Readable;
  /** The container's stderr: the runner's own diagnostics, never the user's output. */
  readonly stderr: Readable;
  write(data: Buffer): void;
  /** Changes memory, CPU and process limits of the running container. */
  updateResources(resources: SandboxResources): Promise<void>;
  kill(): Promise<void>;
  inspectExit(): Promise<ContainerExit>;
  /** Force-removes the container; never throws for a container that is already gone. */
  remove(): Promise<void>;
}

export interface ManagedContainer {
  id: string;
  labels: Record<string, string>;
  /** When the engine created it, in ms since the epoch. */
  createdAt: number;
}

/** The port for everything that touches a container engine; exactly one adapter imports dockerode. */
export abstract class ContainerRuntime {
  abstract ping(): Promise<EngineStatus>;
  abstract imageExists(image: string): Promise<boolean>;
  abstract startAttached(options: ContainerCreateOptions): Promise<AttachedContainer>;
  abstract listManaged(): Promise<ManagedContainer[]>;
  abstract removeContainer(id: string): Promise<void>;
}
