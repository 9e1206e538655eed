import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@sps/config';
import {
  BaseReference,
  DEFAULT_ENVIRONMENT,
  EnvironmentBuildLog,
  EnvironmentCatalogue,
  EnvironmentImageEvents,
  EnvironmentRecord,
  EnvironmentSpecInput,
  normalizeSpec,
  planVersion,
  specProblems,
  Submission,
  submitVersion,
} from '@sps/environments';
import { EnvironmentBuildQueue, WorkerRegistry } from '@sps/queue';
import { randomUUID } from 'node:crypto';
import type { EnvironmentAcceptedDto, EnvironmentDetailDto, EnvironmentDto } from './dto/environment.dto';

const LOG_TAIL_LINES = 200;
const MAX_BASE_DEPTH = 8;

export interface Accepted {
  body: EnvironmentAcceptedDto;
  /** False when the spec was already there (building or ready): nothing new was started. */
  started: boolean;
}

@Injectable()
export class EnvironmentsService {
  private readonly defaultImage: string;
  private readonly heartbeatTtlMs: number;

  constructor(
    private readonly catalogue: EnvironmentCatalogue,
    private readonly buildLog: EnvironmentBuildLog,
    private readonly builds: EnvironmentBuildQueue,
    private readonly registry: WorkerRegistry,
    private readonly imageEvents: EnvironmentImageEvents,
    config: ConfigService<AppConfig, true>,
  ) {
    this.defaultImage = config.get('sandbox.image', { infer: true });
    this.heartbeatTtlMs = config.get('worker.heartbeatTtlMs', { infer: true });
  }

  async create(name: string, input: EnvironmentSpecInput): Promise<Accepted> {
    if (name === DEFAULT_ENVIRONMENT)
      throw new ConflictException(`environment "${DEFAULT_ENVIRONMENT}" is built in and cannot be changed`);
    const problems = specProblems(input, name);
    if (problems.length) throw new BadRequestException(problems);
    const spec = normalizeSpec(input);
    const version = planVersion(spec, await this.baseReference(name, spec.base), randomUUID());
    let submission: Submission | undefined;
    const { before } = await this.catalogue.update(name, (current) => {
      submission = submitVersion(current, name, version);
      return submission.record === current ? undefined : submission.record;
    });
    const { record, build } = submission!;
    if (build) {
      // The log of the version this one replaces as latest goes, unless jobs still run in that version.
      if (before && before.latest.buildId !== before.active?.buildId) await this.buildLog.remove(before.latest.buildId);
      await this.enqueue(name, version.buildId, version.specHash);
    }
    return { body: { name, status: record.latest.status, specHash: record.latest.specHash }, started: build };
  }

  async list(): Promise<EnvironmentDto[]> {
    const [records, lastUsed, builtins] = await Promise.all([
      this.catalogue.list(),
      this.catalogue.lastUsed(),
      this.catalogue.seededBuiltins(),
    ]);
    return [this.defaultView(), ...records.map((record) => this.view(record, lastUsed[record.name] ?? null, builtins))];
  }

  async get(name: string): Promise<EnvironmentDetailDto> {
    const workers = await this.registry.live(this.heartbeatTtlMs).catch(() => []);
    const availableOn = workers.filter((w) => w.environments.includes(name)).map((w) => w.id);
    if (name === DEFAULT_ENVIRONMENT) return { ...this.defaultView(), buildLog: [], dockerfile: null, availableOn };
    const record = await this.find(name);
    const [lastUsed, builtins] = await Promise.all([this.catalogue.lastUsed(), this.catalogue.seededBuiltins()]);
    return {
      ...this.view(record, lastUsed[name] ?? null, builtins),
      buildLog: await this.buildLog.tail(record.latest.buildId, LOG_TAIL_LINES),
      dockerfile: record.latest.dockerfile,
      availableOn,
    };
  }

  async find(name: string): Promise<EnvironmentRecord> {
    const record = await this.catalogue.get(name);
    if (!record) throw new NotFoundException(`environment "${name}" not found`);
    return record;
  }

  async remove(name: string): Promise<void> {
    if (name === DEFAULT_ENVIRONMENT)
      throw new ConflictException(`environment "${DEFAULT_ENVIRONMENT}" is built in and cannot be deleted`);
    const dependants = (await this.catalogue.list()).filter(
      (r) => r.name !== name && [r.active, r.latest].some((v) => v?.base.name === name),
    );
    if (dependants.length) {
      throw new ConflictException(
        `environment "${name}" is the base of ${dependants.map((r) => `"${r.name}"`).join(', ')}: delete those first`,
      );
    }
    const { before } = await this.catalogue.update(name, () => null);
    if (!before) throw new NotFoundException(`environment "${name}" not found`);
    const versions = [before.active, before.latest].filter((v) => v !== null);
    // Each worker removes the images from its own engine; the API has no Docker socket.
    await this.imageEvents.announceObsolete(versions.map((v) => ({ name, specHash: v.specHash })));
    await this.buildLog.remove(...new Set(versions.map((v) => v.buildId)));
    await this.catalogue.forgetLastUsed(name);
  }

  /** Adds a built-in environment the first time this deployment starts; deleting it later keeps it deleted. */
  async seedBuiltin(name: string, spec: EnvironmentSpecInput): Promise<boolean> {
    if ((await this.catalogue.seededBuiltins()).has(name)) return false;
    if (!(await this.catalogue.get(name))) await this.create(name, spec);
    await this.catalogue.markSeeded(name);
    return true;
  }

  /** What a version is built on; the base must be ready, and no environment may end up built on itself. */
  private async baseReference(name: string, base: string): Promise<BaseReference> {
    if (base === DEFAULT_ENVIRONMENT) return { name: base, specHash: null };
    const record = await this.catalogue.get(base);
    if (!record) throw new BadRequestException([`base names an unknown environment "${base}"`]);
    if (!record.active)
      throw new ConflictException(`base environment "${base}" is not ready yet (${record.latest.status})`);
    let cursor: EnvironmentRecord | null = record;
    for (let depth = 0; cursor && cursor.active && cursor.active.base.name !== DEFAULT_ENVIRONMENT; depth++) {
      if (cursor.active.base.name === name)
        throw new BadRequestException([`base "${base}" is built on "${name}": that would be a cycle`]);
      if (depth >= MAX_BASE_DEPTH)
        throw new BadRequestException([
          `base "${base}" is built on more than ${MAX_BASE_DEPTH} levels of environments`,
        ]);
      cursor = await this.catalogue.get(cursor.active.base.name);
    }
    return { name: base, specHash: record.active.specHash };
  }

  private async enqueue(name: string, buildId: string, specHash: string): Promise<void> {
    try {
      await this.builds.enqueue({ name, buildId, specHash });
    } catch (error) {
      await this.catalogue.update(name, (current) =>
        current?.latest.buildId === buildId
          ? {
              ...current,
              latest: {
                ...current.latest,
                status: 'failed',
                error: 'the build could not be queued; submit the spec again',
              },
            }
          : undefined,
      );
      throw error;
    }
  }

  private view(record: EnvironmentRecord, lastUsedAt: string | null, builtins: Set<string>): EnvironmentDto {
    const { latest, active } = record;
    return {
      name: record.name,
      status: latest.status,
      specHash: latest.specHash,
      spec: latest.spec,
      error: latest.error,
      activeSpecHash: active?.specHash ?? null,
      image: active?.image ?? null,
      imageId: active?.imageId ?? null,
      registryDigest: active?.registryDigest ?? null,
      // What a result of a job in this version carries, when it ran in the image its building worker made or pushed.
      reproducibility: active?.imageId
        ? { specHash: active.specHash, digest: active.imageId, baseDigest: active.baseImageId ?? null }
        : null,
      sizeBytes: active?.sizeBytes ?? null,
      createdAt: record.createdAt,
      builtAt: active?.builtAt ?? null,
      lastUsedAt,
      builtin: builtins.has(record.name),
    };
  }

  private defaultView(): EnvironmentDto {
    return {
      name: DEFAULT_ENVIRONMENT,
      status: 'ready',
      specHash: null,
      spec: null,
      error: null,
      activeSpecHash: null,
      image: this.defaultImage,
      imageId: null,
      registryDigest: null,
      reproducibility: null,
      sizeBytes: null,
      createdAt: null,
      builtAt: null,
      lastUsedAt: null,
      builtin: true,
    };
  }
}
