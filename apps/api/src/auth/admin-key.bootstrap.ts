import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig, AuthConfig } from '@sps/config';
import { mkdir, open } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ApiKeyStore, ENV_ADMIN_KEY_ID } from './api-key.store';

const FIRST_ADMIN_NAME = 'admin';

/**
 * Makes sure an admin can get in when the API starts: ADMIN_API_KEY becomes
 * (or replaces) the admin key "admin-env"; without it, and with no keys at
 * all, one admin key is created, printed once and written to ADMIN_KEY_FILE.
 * With AUTH=off it only warns, loudly.
 */
@Injectable()
export class AdminKeyBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminKeyBootstrap.name);
  private readonly auth: AuthConfig;

  constructor(
    private readonly store: ApiKeyStore,
    config: ConfigService<AppConfig, true>,
  ) {
    this.auth = config.get('auth', { infer: true });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.auth.enabled) {
      const bar = '!'.repeat(78);
      this.logger.warn(
        `\n${bar}\n!! AUTH=off: authentication is DISABLED. Anyone who can reach this port can run code,\n` +
          `!! read every result and manage keys. Only for a machine nobody else can reach.\n${bar}`,
      );
      return;
    }
    if (this.auth.adminApiKey) {
      const changed = await this.store.ensureEnvAdmin(this.auth.adminApiKey);
      this.logger.log(`admin key "${ENV_ADMIN_KEY_ID}" ${changed ? 'set' : 'unchanged'} from ADMIN_API_KEY`);
      return;
    }
    const created = await this.store.createFirstAdmin(FIRST_ADMIN_NAME);
    if (!created) return;
    const file = resolve(this.auth.adminKeyFile);
    const written = await writeSecret(file, created.key).then(
      () => true,
      (error: Error) => {
        this.logger.warn(`could not write the admin key to ${file}: ${error.message}`);
        return false;
      },
    );
    // Printed once, on purpose, outside the structured log: it is the only way in.
    process.stdout.write(
      `\nNo API keys existed, so an admin key was created (id ${created.record.id}). It is shown only this once:\n\n` +
        `    ${created.key}\n\n` +
        (written ? `It was also written to ${file} (mode 0600).\n` : '') +
        `Create more with: npm run keys -- create --name <name> [--admin]\n\n`,
    );
  }
}

/** Owner-only from the first byte: created 0600, never through a symlink planted at the path. */
const writeSecret = async (file: string, secret: string): Promise<void> => {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const handle = await open(
    file,
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    await handle.chmod(0o600); // a file that existed keeps its mode through O_CREAT
    await handle.writeFile(`${secret}\n`);
  } finally {
    await handle.close();
  }
};
