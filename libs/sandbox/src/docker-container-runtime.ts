import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import Docker from 'dockerode';
import { Agent } from 'node:http';
import { inspect } from 'node:util';
import { Duplex, PassThrough, Readable } from 'node:stream';
import { BuildOutput } from './build-output';
import {
  AttachedContainer,
  ContainerExit,
  ContainerMayExistError,
  ContainerRuntime,
  EngineStatus,
  ImageBuildOptions,
  ImageInfo,
  ImageRemoval,
  ManagedContainer,
  RegistryTransfer,
} from './container-runtime';
import type { SandboxResources } from './container-spec';
import { SANDBOX_LABELS } from './sandbox-labels';

const isGone = (error: unknown): boolean => {
  const status = (error as { statusCode?: number }).statusCode;
  return status === 404 || status === 409; // 409: removal already in progress
};

/** The part of docker-modem used here; dockerode types it as any. */
interface DockerModem {
  demuxStream(stream: Duplex, stdout: PassThrough, stderr: PassThrough): void;
}

class DockerAttachedContainer implements AttachedContainer {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly closed: Promise<void>;
  private ended = false;

  constructor(
    private readonly container: Docker.Container,
    private readonly stream: Duplex,
    readonly labels: Readonly<Record<string, string>>,
  ) {
    (container.modem as DockerModem).demuxStream(stream, this.stdout, this.stderr);
    let closed = () => undefined as void;
    this.closed = new Promise<void>((resolve) => (closed = resolve));
    // Seen on the connection itself: a paused stdout (a warm container waiting for its job) emits no 'end' until read.
    const end = () => {
      this.ended = true;
      closed();
      this.stdout.end();
      this.stderr.end();
    };
    stream.once('end', end);
    stream.once('close', end);
    stream.once('error', end);
  }

  get id(): string {
    return this.container.id;
  }

  get gone(): boolean {
    return this.ended;
  }

  write(data: Buffer): void {
    this.stream.write(data);
  }

  async rename(name: string): Promise<void> {
    await this.container.rename({ name });
  }

  async updateResources(resources: SandboxResources): Promise<void> {
    await this.container.update(resources);
  }

  async kill(): Promise<void> {
    await this.container.kill({ signal: 'SIGKILL' }).catch((error) => {
      if (!isGone(error)) throw error;
    });
  }

  async inspectExit(): Promise<ContainerExit> {
    await this.container.wait();
    const { State } = await this.container.inspect();
    return { exitCode: State.Running ? null : State.ExitCode, oomKilled: State.OOMKilled };
  }

  async remove(): Promise<void> {
    this.stream.destroy();
    await this.container.remove({ force: true, v: true }).catch((error) => {
      if (!isGone(error)) throw error;
    });
  }
}

/**
 * Keep-alive reuses connections to the socket instead of opening one per call.
 * docker-modem renders every request's options with util.inspect (showHidden,
 * unlimited depth) even with its debug output off; an agent with open sockets
 * makes that a deep walk on every call, so the agent renders as one word.
 */
const keepAliveAgent = (): Agent => {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  Object.defineProperty(agent, inspect.custom, { value: () => '[keep-alive Agent]', enumerable: false });
  return agent;
};

/**
 * The engine's create call, with only the name in its query string. Given
 * the options alone, the client library also copies every one of them (the
 * whole seccomp profile among them) into the URL, URL-encoded: about 200 KB
 * for each container, built by the worker and parsed again by the engine.
 */
const createRequest = (options: Docker.ContainerCreateOptions): Docker.ContainerCreateOptions =>
  ({ _query: options.name ? { name: options.name } : {}, _body: options }) as Docker.ContainerCreateOptions;

/** The one place that speaks to the Docker Engine API. */
@Injectable()
export class DockerContainerRuntime extends ContainerRuntime implements OnModuleDestroy {
  private readonly agent = keepAliveAgent();
  private readonly docker: Docker;
  private engine: Promise<string> | undefined;

  constructor(@Inject(ConfigService) config: ConfigService<AppConfig, true>) {
    super();
    this.docker = new Docker({
      socketPath: config.get('sandbox.dockerSocket', { infer: true }),
      agent: this.agent,
    } as Docker.DockerOptions);
  }

  async ping(): Promise<EngineStatus> {
    try {
      const version = await this.docker.version();
      return { up: true, version: version.Version };
    } catch {
      return { up: false, version: null };
    }
  }

  async imageExists(image: string): Promise<boolean> {
    return this.found(() => this.docker.getImage(image).inspect());
  }

  async networkExists(name: string): Promise<boolean> {
    return this.found(() => this.docker.getNetwork(name).inspect());
  }

  /** True when the engine answers, false on its 404; any other failure is thrown. */
  private async found(inspect: () => Promise<unknown>): Promise<boolean> {
    try {
      await inspect();
      return true;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return false;
      throw error;
    }
  }

  async startAttached(options: Docker.ContainerCreateOptions): Promise<AttachedContainer> {
    const container = await this.docker.createContainer(createRequest(options)).catch(async (error: unknown) => {
      // The engine may have made it before the answer was lost: a named container can be found and removed.
      if (options.name) {
        await this.removeContainer(options.name).catch(() => {
          throw new ContainerMayExistError(`creating ${options.name} failed, and it may exist: ${String(error)}`);
        });
      }
      throw error;
    });
    try {
      const stream = (await container.attach({
        stream: true,
        stdin: true,
        stdout: true,
        stderr: true,
        hijack: true,
      })) as Duplex;
      const attached = new DockerAttachedContainer(container, stream, { ...options.Labels });
      await container.start();
      return attached;
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      throw error;
    }
  }

  async listManaged(): Promise<ManagedContainer[]> {
    const containers = await this.docker.listContainers({
      all: true,
      filters: { label: [`${SANDBOX_LABELS.managed}=true`] },
    });
    return containers.map((c) => ({ id: c.Id, labels: c.Labels, createdAt: c.Created * 1000 }));
  }

  async removeContainer(id: string): Promise<void> {
    await this.docker
      .getContainer(id)
      .remove({ force: true, v: true })
      .catch((error) => {
        if (!isGone(error)) throw error;
      });
  }

  async engineId(): Promise<string> {
    this.engine ??= this.docker
      .info()
      .then((info: { ID?: string; Name?: string }) => info.ID || info.Name || 'unknown');
    return this.engine.catch((error) => {
      this.engine = undefined;
      throw error;
    });
  }

  async buildImage(context: Buffer, options: ImageBuildOptions): Promise<string> {
    const stream = (await this.docker.buildImage(
      context as unknown as NodeJS.ReadableStream,
      {
        t: options.tag,
        buildargs: options.buildArgs,
        labels: options.labels,
        networkmode: options.networkMode,
        // The base is always a local image: never try a registry for it.
        pull: false,
        rm: true,
        forcerm: true,
        abortSignal: options.signal,
      } as Docker.ImageBuildOptions,
    )) as Readable;
    const output = await this.follow(stream, options.onLine);
    if (options.signal.aborted) throw new Error('the build was stopped');
    if (output.failure) throw new Error(output.failure);
    const id = output.imageId ?? (await this.inspectImage(options.tag))?.id;
    if (!id) throw new Error('the engine reported no image for the build');
    return id;
  }

  /** Reads an engine progress stream (build, pull or push) to its end. */
  private async follow(stream: Readable, onLine: (line: string) => void = () => undefined): Promise<BuildOutput> {
    const output = new BuildOutput(onLine);
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: Buffer) => output.push(chunk));
      stream.once('end', resolve);
      stream.once('error', reject);
      stream.once('close', resolve);
    });
    output.end();
    return output;
  }

  async tagImage(ref: string, target: string): Promise<void> {
    // The last colon starts the tag only after the last slash: before it, it is a registry's port.
    const colon = target.lastIndexOf(':');
    const tagged = colon > target.lastIndexOf('/');
    await this.docker
      .getImage(ref)
      .tag({ repo: tagged ? target.slice(0, colon) : target, tag: tagged ? target.slice(colon + 1) : 'latest' });
  }

  async pullImage(ref: string, { auth, signal }: RegistryTransfer): Promise<void> {
    // By digest too: fromImage takes repository@sha256:…, and the engine checks what it pulls against it.
    const stream = (await this.docker.createImage(auth ?? undefined, {
      fromImage: ref,
      abortSignal: signal,
    })) as Readable;
    const output = await this.follow(stream);
    if (signal.aborted) throw new Error('the pull was stopped');
    if (output.failure) throw new Error(output.failure);
  }

  async pushImage(ref: string, { auth, signal }: RegistryTransfer): Promise<string> {
    const stream = (await this.docker
      .getImage(ref)
      .push({ authconfig: auth ?? undefined, abortSignal: signal })) as Readable;
    const output = await this.follow(stream);
    if (signal.aborted) throw new Error('the push was stopped');
    if (output.failure) throw new Error(output.failure);
    if (!output.digest) throw new Error(`the registry reported no digest for ${ref}`);
    return output.digest;
  }

  async inspectImage(ref: string): Promise<ImageInfo | null> {
    try {
      const image = await this.docker.getImage(ref).inspect();
      return {
        id: image.Id,
        tags: image.RepoTags ?? [],
        digests: image.RepoDigests ?? [],
        sizeBytes: image.Size,
        labels: image.Config?.Labels ?? {},
        createdAt: Date.parse(image.Created),
      };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return null;
      throw error;
    }
  }

  async listImages(labels: string[]): Promise<ImageInfo[]> {
    const images = await this.docker.listImages({ filters: { label: labels } });
    return images.map((image) => ({
      id: image.Id,
      tags: image.RepoTags ?? [],
      digests: image.RepoDigests ?? [],
      sizeBytes: image.Size,
      labels: image.Labels ?? {},
      createdAt: image.Created * 1000,
    }));
  }

  async removeImage(ref: string): Promise<ImageRemoval> {
    try {
      await this.docker.getImage(ref).remove({ force: false });
      return 'removed';
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404) return 'missing';
      if (status === 409) return 'in-use';
      throw error;
    }
  }

  onModuleDestroy(): void {
    this.agent.destroy();
  }
}
