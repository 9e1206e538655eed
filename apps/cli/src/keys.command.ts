import type { ApiKey, ApiKeyRequest, SandboxClient } from '@sps/client';
import { EXIT } from './exit-codes';

export interface KeyFlags {
  name: string;
  admin?: boolean;
  ratePerMinute?: number;
  maxInFlight?: number;
  maxSessions?: number;
  json?: boolean;
}

const describeQuotas = ({ quotas }: ApiKey): string => {
  const parts = [
    quotas.ratePerMinute !== undefined ? `${quotas.ratePerMinute}/min` : '',
    quotas.maxInFlight !== undefined ? `${quotas.maxInFlight} in flight` : '',
    quotas.maxSessions !== undefined ? `${quotas.maxSessions} sessions` : '',
    ...Object.entries(quotas.maxLimits ?? {}).map(([name, value]) => `${name}<=${value}`),
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'defaults';
};

/** `sps keys create`, through POST /v1/keys with an admin key. */
export const createKey = async (client: SandboxClient, flags: KeyFlags): Promise<number> => {
  const quotas = {
    ...(flags.ratePerMinute !== undefined ? { ratePerMinute: flags.ratePerMinute } : {}),
    ...(flags.maxInFlight !== undefined ? { maxInFlight: flags.maxInFlight } : {}),
    ...(flags.maxSessions !== undefined ? { maxSessions: flags.maxSessions } : {}),
  };
  const request: ApiKeyRequest = {
    name: flags.name,
    role: flags.admin ? 'admin' : 'user',
    ...(Object.keys(quotas).length ? { quotas } : {}),
  };
  const created = await client.keys.create(request);
  if (flags.json) process.stdout.write(`${JSON.stringify(created)}\n`);
  else {
    process.stderr.write(
      `sps: created ${created.role} key ${created.id} ("${created.name}", quotas: ${describeQuotas(created)}); it is shown only this once:\n`,
    );
    process.stdout.write(`${created.key}\n`);
  }
  return EXIT.ok;
};

export const listKeys = async (client: SandboxClient, { json }: { json?: boolean }): Promise<number> => {
  const all = await client.keys.list();
  if (json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
  else
    process.stdout.write(
      all
        .map((k) => `${k.id}  ${k.role.padEnd(5)}  ${k.name.padEnd(20)}  ${k.createdAt}  ${describeQuotas(k)}\n`)
        .join(''),
    );
  return EXIT.ok;
};

export const revokeKey = async (client: SandboxClient, idOrName: string): Promise<number> => {
  const revoked = await client.keys.revoke(idOrName);
  process.stderr.write(`sps: revoked key ${revoked.id} ("${revoked.name}")\n`);
  return EXIT.ok;
};
