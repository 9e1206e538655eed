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
  /** The labels it was created with. */
  readonly labels: Readonly<Record<string, string>>;
  /** The container's stdout, demultiplexed: the runner's frames. */
  readonly stdout: Readable;
  /** The container's stderr: the runner's own diagnostics, never the user's output. */
  readonly stderr: Readable;
  /** True once the connection to the container has ended: it exited, or was killed, and can take no job. */
  readonly gone: boolean;
  /** Resolves when the connection to the container ends, even while nobody reads its output. */
  readonly closed: Promise<void>;
  write(data: Buffer): void;
  /** Gives the running container another name (labels cannot change after create). */
  rename(name: string): Promise<void>;
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

export interface ImageBuildOptions {
  tag: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  /** Docker network the build's RUN steps use. */
  networkMode: string;
  /** Aborting stops the build: the engine cancels a build whose client goes away. */
  signal: AbortSignal;
  /** Each line of build output, as it arrives. */
  onLine: (line: string) => void;
}

export interface ImageInfo {
  /** The image's content digest (`sha256:` of its config): the same on every engine that holds the same bits. */
  id: string;
  tags: string[];
  /** `repository@sha256:…` for each registry it was pushed to or pulled from. */
  digests: string[];
  sizeBytes: number;
  labels: Record<string, string>;
  /** When the engine made it, in ms since the epoch. */
  createdAt: number;
}

/** Credentials for a registry, sent to the engine with a pull or push and never stored by it. */
export interface RegistryAuth {
  username: string;
  password: string;
  /** The registry's host[:port], as in the image reference. */
  serveraddress: string;
}

export interface RegistryTransfer {
  auth: RegistryAuth | null;
  /** Aborting stops the transfer. */
  signal: AbortSignal;
}

/** What removing an image came to: `in-use` means a container still uses it, so it stays for now. */
export type ImageRemoval = 'removed' | 'in-use' | 'missing';

/**
 * Creating a container failed in a way that leaves open whether the engine made it
 * (the connection broke mid-request) and it could not be removed by name either:
 * whatever it holds (its uid lease) stays held until the container can no longer exist.
 */
export class ContainerMayExistError extends Error {}

/** The port for everything that touches a container engine; exactly one adapter imports dockerode. */
export abstract class ContainerRuntime {
  abstract ping(): Promise<EngineStatus>;
  abstract imageExists(image: string): Promise<boolean>;
  /** Whether the engine has a network of this name (an engine started with `--bridge=none` has no `bridge`). */
  abstract networkExists(name: string): Promise<boolean>;
  abstract startAttached(options: ContainerCreateOptions): Promise<AttachedContainer>;
  abstract listManaged(): Promise<ManagedContainer[]>;
  abstract removeContainer(id: string): Promise<void>;
  /** Identifies the engine: worker processes on one host share it, and so share one build at a time. */
  abstract engineId(): Promise<string>;
  /** Builds `context` (a tar holding a Dockerfile) and returns the new image's id; throws with the engine's message when a step fails. */
  abstract buildImage(context: Buffer, options: ImageBuildOptions): Promise<string>;
  abstract inspectImage(ref: string): Promise<ImageInfo | null>;
  abstract listImages(labels: string[]): Promise<ImageInfo[]>;
  /** Removes a tag (and the image once nothing else holds it), never by force: an image a container uses stays. */
  abstract removeImage(ref: string): Promise<ImageRemoval>;
  /** Gives an image another name, `repository:tag`. */
  abstract tagImage(ref: string, target: string): Promise<void>;
  /** Pulls `ref` (by tag, or `repository@sha256:…`); throws with the engine's message when the registry refuses or is unreachable. */
  abstract pullImage(ref: string, transfer: RegistryTransfer): Promise<void>;
  /** Pushes `repository:tag` and returns the digest of the manifest the registry now holds under that tag. */
  abstract pushImage(ref: string, transfer: RegistryTransfer): Promise<string>;
}
