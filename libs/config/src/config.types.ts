import { ApiConfig } from './api.config';
import { AuthConfig } from './auth.config';
import { EnvironmentsConfig } from './environments.config';
import { LoggingConfig } from './logging.config';
import { QueueConfig } from './queue.config';
import { RedisConfig } from './redis.config';
import { RegistryConfig } from './registry.config';
import { SandboxConfig } from './sandbox.config';
import { SessionConfig } from './session.config';
import { WebhookConfig } from './webhook.config';
import { WorkerConfig } from './worker.config';

/** The typed shape behind ConfigService, so `get('sandbox.max', { infer: true })` is checked. */
export interface AppConfig {
  redis: RedisConfig;
  api: ApiConfig;
  sandbox: SandboxConfig;
  sessions: SessionConfig;
  queue: QueueConfig;
  worker: WorkerConfig;
  auth: AuthConfig;
  environments: EnvironmentsConfig;
  logging: LoggingConfig;
  registry: RegistryConfig;
  webhooks: WebhookConfig;
}
