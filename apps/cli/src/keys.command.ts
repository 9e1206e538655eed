import type { ApiKey, ApiKeyRequest, KeyQuotas, Limits, SandboxClient } from '@sps/client';
import { Command, InvalidArgumentError, Option } from 'commander';
import { EXIT } from './exit-codes';

interface QuotaFlag {
  flag: string;
  help: string;
  /** Whole numbers, but for CPUs. */
  fractional?: boolean;
}

/*
 * One flag per quota a key has. Typed over every field of the API's own
 * quota and limit shapes, so a quota added to the API does not build here
 * until it has a flag.
 */
const QUOTA_FLAGS: { [K in Exclude<keyof KeyQuotas, 'maxLimits'>]-?: QuotaFlag } = {
  ratePerMinute: { flag: '--rate-per-minute <n>', help: 'requests per minute, on every route' },
  maxInFlight: { flag: '--max-in-flight <n>', help: 'executions queued or running at once' },
  maxStoredBytes: {
    flag: '--max-stored-bytes <n>',
    help: 'bytes its finished results may hold before new submissions are refused',
  },
  maxConcurrentRequests: {
    flag: '--max-concurrent-requests <n>',
    help: 'requests served at once by one API process, long polls included',
  },
  maxSessions: { flag: '--max-sessions <n>', help: 'sessions open at once (0: none)' },
};
const MAX_LIMIT_FLAGS: { [K in keyof Limits]-?: QuotaFlag } = {
  timeoutMs: { flag: '--max-timeout-ms <n>', help: 'the longest timeout it may ask for, in ms' },
  memoryMb: { flag: '--max-memory-mb <n>', help: 'the most memory it may ask for, in MB' },
  cpus: { flag: '--max-cpus <n>', help: 'the most CPUs it may ask for (e.g. 0.5, 2)', fractional: true },
  pids: { flag: '--max-pids <n>', help: 'the most processes it may ask for' },
  outputBytes: { flag: '--max-output-bytes <n>', help: 'the largest output cap it may ask for, in bytes' },
};

const wholeNumber = (text: string): number => {
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError('expected a whole number');
  return Number(text);
};

const positiveNumber = (text: string): number => {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0)
    throw new InvalidArgumentError('expected a positive number');
  return value;
};

const optionOf = ({ flag, help, fractional }: QuotaFlag): Option =>
  new Option(flag, help).argParser(fractional ? positiveNumber : wholeNumber);

/** The flags of `sps keys create`: one per quota, and the server's defaults and maxima for those left out. */
export const addQuotaOptions = (command: Command): Command => {
  for (const quota of [...Object.values(QUOTA_FLAGS), ...Object.values(MAX_LIMIT_FLAGS)])
    command.addOption(optionOf(quota));
  return command;
};

/** The quotas the flags set, under the API's names. */
const quotasOf = (flags: Record<string, unknown>): KeyQuotas => {
  const pick = (table: Record<string, QuotaFlag>) =>
    Object.fromEntries(
      Object.entries(table)
        .map(([field, quota]) => [field, flags[optionOf(quota).attributeName()]])
        .filter(([, value]) => value !== undefined),
    ) as Record<string, number>;
  const quotas: KeyQuotas = pick(QUOTA_FLAGS);
  const maxLimits: Limits = pick(MAX_LIMIT_FLAGS);
  return Object.keys(maxLimits).length ? { ...quotas, maxLimits } : quotas;
};

export interface KeyFlags {
  name: string;
  admin?: boolean;
  json?: boolean;
  [quota: string]: unknown;
}

const describeQuotas = ({ quotas }: ApiKey): string => {
  const parts = [
    quotas.ratePerMinute !== undefined ? `${quotas.ratePerMinute}/min` : '',
    quotas.maxInFlight !== undefined ? `${quotas.maxInFlight} in flight` : '',
    quotas.maxStoredBytes !== undefined ? `${quotas.maxStoredBytes} bytes stored` : '',
    quotas.maxConcurrentRequests !== undefined ? `${quotas.maxConcurrentRequests} requests at once` : '',
    quotas.maxSessions !== undefined ? `${quotas.maxSessions} sessions` : '',
    ...Object.entries(quotas.maxLimits ?? {}).map(([name, value]) => `${name}<=${value}`),
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'defaults';
};

/** `sps keys create`, through POST /v1/keys with an admin key. */
export const createKey = async (client: SandboxClient, flags: KeyFlags): Promise<number> => {
  const quotas = quotasOf(flags);
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
