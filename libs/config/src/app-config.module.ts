import { DynamicModule, Module } from '@nestjs/common';
import { ConfigFactory, ConfigModule } from '@nestjs/config';
import { apiConfig } from './api.config';
import { authConfig } from './auth.config';
import { environmentsConfig } from './environments.config';
import { loggingConfig } from './logging.config';
import { queueConfig } from './queue.config';
import { redisConfig } from './redis.config';
import { registryConfig } from './registry.config';
import { sandboxConfig } from './sandbox.config';
import { sessionConfig } from './session.config';
import { webhookConfig } from './webhook.config';
import { workerConfig } from './worker.config';

/** Loads the namespaces an app needs; each one validates itself when loaded, so a bad setting stops start-up. */
@Module({})
export class AppConfigModule {
  static forApi(): DynamicModule {
    return AppConfigModule.with([
      redisConfig,
      queueConfig,
      apiConfig,
      sandboxConfig,
      sessionConfig,
      workerConfig,
      loggingConfig,
      environmentsConfig,
      authConfig,
      webhookConfig,
    ]);
  }

  static forWorker(): DynamicModule {
    return AppConfigModule.with([
      redisConfig,
      // The request size maxima: workers check every job against them again (JobDataVerifier).
      apiConfig,
      queueConfig,
      sandboxConfig,
      sessionConfig,
      workerConfig,
      loggingConfig,
      environmentsConfig,
      registryConfig,
      // Workers queue a job's webhook delivery when it ends; the API sends it.
      webhookConfig,
    ]);
  }

  /** For the key-management command line: Redis and the auth settings, nothing that listens or runs jobs. */
  static forKeysCli(): DynamicModule {
    return AppConfigModule.with([redisConfig, sandboxConfig, authConfig]);
  }

  private static with(load: ConfigFactory[]): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, cache: true, load })],
    };
  }
}
