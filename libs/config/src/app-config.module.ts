import { DynamicModule, Module } from '@nestjs/common';
import { ConfigFactory, ConfigModule } from '@nestjs/config';
import { apiConfig } from './api.config';
import { environmentsConfig } from './environments.config';
import { loggingConfig } from './logging.config';
import { queueConfig } from './queue.config';
import { redisConfig } from './redis.config';
import { sandboxConfig } from './sandbox.config';
import { workerConfig } from './worker.config';

/** Loads the namespaces an app needs; each one validates itself when loaded, so a bad setting stops start-up. */
@Module({})
export class AppConfigModule {
  static forApi(): DynamicModule {
    return AppConfigModule.with([redisConfig, queueConfig, apiConfig, sandboxConfig, workerConfig, loggingConfig, environmentsConfig]);
  }

  static forWorker(): DynamicModule {
    return AppConfigModule.with([redisConfig, queueConfig, sandboxConfig, workerConfig, loggingConfig, environmentsConfig]);
  }

  private static with(load: ConfigFactory[]): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, cache: true, load })],
    };
  }
}
