import { Module } from '@nestjs/common';
import { AppConfigModule } from '@sps/config';
import { RedisModule } from '@sps/redis';
import { ApiKeyStore } from './api-key.store';
import { ApiKeysService } from './api-keys.service';

/** Just enough for `npm run keys`: the settings, one Redis connection and the key service. */
@Module({
  imports: [AppConfigModule.forKeysCli(), RedisModule],
  providers: [ApiKeyStore, ApiKeysService],
})
export class KeysCliModule {}
