import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig, SandboxLimits } from '@sps/config';
import { ApiKeyNameTakenError, ApiKeyRecord, ApiKeyStore, KeyQuotas, NewApiKey } from './api-key.store';

/** Managing keys, for the /v1/keys routes and the command line alike; the checks live here once. */
@Injectable()
export class ApiKeysService {
  private readonly serverMax: SandboxLimits;

  constructor(
    private readonly store: ApiKeyStore,
    config: ConfigService<AppConfig, true>,
  ) {
    this.serverMax = config.get('sandbox.max', { infer: true });
  }

  async create(spec: NewApiKey): Promise<ApiKeyRecord & { key: string; webhookSecret: string }> {
    const problems = this.quotaProblems(spec.quotas ?? {});
    if (problems.length) throw new BadRequestException(problems);
    try {
      const { record, key, webhookSecret } = await this.store.create({ ...spec, quotas: compact(spec.quotas ?? {}) });
      return { ...record, key, webhookSecret };
    } catch (error) {
      if (error instanceof ApiKeyNameTakenError) throw new ConflictException(error.message);
      throw error;
    }
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.store.list();
  }

  async get(id: string): Promise<ApiKeyRecord> {
    const record = await this.store.get(id);
    if (!record) throw new NotFoundException(`API key ${id} not found`);
    return record;
  }

  /** Revokes by id, or by name for the command line. The key stops working on its next request. */
  async revoke(idOrName: string): Promise<ApiKeyRecord> {
    const record = (await this.store.get(idOrName)) ?? (await this.store.findByName(idOrName));
    if (!record || !(await this.store.revoke(record.id))) throw new NotFoundException(`API key ${idOrName} not found`);
    return record;
  }

  /** A new webhook signing secret for a key (by id, or by name for the command line); the old one stops signing at once. */
  async rotateWebhookSecret(idOrName: string): Promise<{ id: string; name: string; webhookSecret: string }> {
    const record = (await this.store.get(idOrName)) ?? (await this.store.findByName(idOrName));
    const webhookSecret = record && (await this.store.rotateWebhookSecret(record.id));
    if (!record || !webhookSecret) throw new NotFoundException(`API key ${idOrName} not found`);
    return { id: record.id, name: record.name, webhookSecret };
  }

  private quotaProblems(quotas: KeyQuotas): string[] {
    const problems: string[] = [];
    for (const [name, value] of Object.entries(quotas.maxLimits ?? {}) as [keyof SandboxLimits, number | undefined][]) {
      if (value !== undefined && value > this.serverMax[name]) {
        problems.push(
          `quotas.maxLimits.${name} must not be greater than ${this.serverMax[name]} (the server's maximum)`,
        );
      }
    }
    return problems;
  }
}

/** Plain data for storage: no class instances, no undefined fields. */
const compact = (quotas: KeyQuotas): KeyQuotas => JSON.parse(JSON.stringify(quotas)) as KeyQuotas;
