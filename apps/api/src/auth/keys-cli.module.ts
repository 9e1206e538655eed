import { Module } from '@nestjs/common';
import { AppConfigModule } from '@sps/config';
import { RedisConnection } from '@sps/queue';
import { ApiKeyStore } from './api-key.store';
import { ApiKeysService } from './api-keys.service';

/** Just enough for `npm run keys`: the settings, one Redis connection and the key service. */
@Module({
  imports: [AppConfigModule.forKeysCli()],
  providers: [RedisConnection, ApiKeyStore, ApiKeysService],
})
export class KeysCliModule {}
