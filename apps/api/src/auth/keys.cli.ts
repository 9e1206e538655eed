import 'reflect-metadata';
import { HttpException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { parseArgs } from 'node:util';
import { validationMessages } from '../validation/validation-messages';
import type { ApiKeyRecord } from './api-key.store';
import { ApiKeysService } from './api-keys.service';
import { CreateApiKeyDto } from './dto/create-api-key.dto';
import { KeysCliModule } from './keys-cli.module';

const USAGE = `Manages API keys in the Redis at REDIS_URL (prefix REDIS_PREFIX).

  npm run keys -- create --name <name> [--admin] [quotas]   prints the new key, once
  npm run keys -- list
  npm run keys -- revoke <id or name>
  npm run keys -- rotate-webhook-secret <id or name>   prints the new secret, once

Quotas (each optional; the server's defaults and maxima apply otherwise):
  --rate-per-minute N  --max-in-flight N  --max-stored-bytes N  --max-concurrent-requests N  --max-sessions N
  --max-timeout-ms N  --max-memory-mb N  --max-cpus N  --max-pids N  --max-output-bytes N
Add --json for machine-readable output.`;

const QUOTA_FLAGS = {
  'rate-per-minute': ['ratePerMinute'],
  'max-in-flight': ['maxInFlight'],
  'max-stored-bytes': ['maxStoredBytes'],
  'max-concurrent-requests': ['maxConcurrentRequests'],
  'max-sessions': ['maxSessions'],
  'max-timeout-ms': ['maxLimits', 'timeoutMs'],
  'max-memory-mb': ['maxLimits', 'memoryMb'],
  'max-cpus': ['maxLimits', 'cpus'],
  'max-pids': ['maxLimits', 'pids'],
  'max-output-bytes': ['maxLimits', 'outputBytes'],
} as const;

class UsageError extends Error {}

const parse = (argv: string[]) =>
  parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      admin: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      ...Object.fromEntries(Object.keys(QUOTA_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
    },
  });

/** The flags as the same DTO the API validates, so both refuse the same things with the same messages. */
const createDto = (values: Record<string, string | boolean | undefined>): CreateApiKeyDto => {
  const quotas: Record<string, unknown> = {};
  for (const [flag, path] of Object.entries(QUOTA_FLAGS)) {
    const raw = values[flag];
    if (typeof raw !== 'string') continue;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value))
      throw new UsageError(`--${flag} must be a number, got ${JSON.stringify(raw)}`);
    if (path.length === 1) quotas[path[0]] = value;
    else quotas.maxLimits = { ...(quotas.maxLimits as object), [path[1]]: value };
  }
  const plain = {
    name: values.name,
    role: values.admin ? 'admin' : 'user',
    ...(Object.keys(quotas).length ? { quotas } : {}),
  };
  const dto = plainToInstance(CreateApiKeyDto, plain);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length) throw new UsageError(validationMessages(errors).join('\n'));
  return dto;
};

const describeQuotas = (record: ApiKeyRecord): string => {
  const { ratePerMinute, maxInFlight, maxStoredBytes, maxConcurrentRequests, maxSessions, maxLimits } = record.quotas;
  const parts = [
    ratePerMinute !== undefined ? `${ratePerMinute}/min` : '',
    maxInFlight !== undefined ? `${maxInFlight} in flight` : '',
    maxStoredBytes !== undefined ? `${maxStoredBytes} bytes stored` : '',
    maxConcurrentRequests !== undefined ? `${maxConcurrentRequests} requests at once` : '',
    maxSessions !== undefined ? `${maxSessions} sessions` : '',
    ...Object.entries(maxLimits ?? {}).map(([name, value]) => `${name}<=${value}`),
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'defaults';
};

const run = async (argv: string[], out: (text: string) => void): Promise<void> => {
  const { values, positionals } = parse(argv);
  const [command, ...rest] = positionals;
  if (values.help || !command) return out(USAGE);
  const app = await NestFactory.createApplicationContext(KeysCliModule, { logger: ['error'] });
  try {
    const keys = app.get(ApiKeysService);
    if (command === 'create') {
      if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
      const dto = createDto(values);
      const created = await keys.create({ name: dto.name, role: dto.role ?? 'user', quotas: dto.quotas });
      if (values.json) return out(JSON.stringify(created));
      return out(
        `Created ${created.role} key ${created.id} ("${created.name}", quotas: ${describeQuotas(created)}).\n` +
          `It is shown only this once, with the secret that signs its webhooks; give both to its owner now:\n\n` +
          `    ${created.key}\n    ${created.webhookSecret}\n`,
      );
    }
    if (command === 'list') {
      const all = await keys.list();
      if (values.json) return out(JSON.stringify(all));
      if (!all.length) return out('No API keys.');
      return out(
        all
          .map((k) => `${k.id}  ${k.role.padEnd(5)}  ${k.name.padEnd(20)}  ${k.createdAt}  ${describeQuotas(k)}`)
          .join('\n'),
      );
    }
    if (command === 'revoke') {
      if (rest.length !== 1) throw new UsageError('revoke takes exactly one id or name');
      const revoked = await keys.revoke(rest[0]);
      return out(values.json ? JSON.stringify(revoked) : `Revoked key ${revoked.id} ("${revoked.name}").`);
    }
    if (command === 'rotate-webhook-secret') {
      if (rest.length !== 1) throw new UsageError('rotate-webhook-secret takes exactly one id or name');
      const rotated = await keys.rotateWebhookSecret(rest[0]);
      if (values.json) return out(JSON.stringify(rotated));
      return out(
        `New webhook signing secret for key ${rotated.id} ("${rotated.name}"); the old one no longer signs. ` +
          `It is shown only this once:\n\n    ${rotated.webhookSecret}\n`,
      );
    }
    throw new UsageError(`unknown command "${command}"`);
  } finally {
    await app.close();
  }
};

run(process.argv.slice(2), (text) => process.stdout.write(`${text}\n`)).catch((error: Error) => {
  const message =
    error instanceof HttpException
      ? ([] as string[])
          .concat((error.getResponse() as { message?: string | string[] }).message ?? error.message)
          .join('\n')
      : error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
        ? `${error.message}\n\n${USAGE}`
        : `${error?.message ?? String(error)}`;
  process.stderr.write(`keys: ${message}\n`);
  process.exit(1);
});
