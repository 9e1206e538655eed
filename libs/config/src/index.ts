export * from './env-reader';
export * from './redis.config';
export * from './api.config';
export * from './sandbox.config';
export * from './queue.config';
export * from './worker.config';
export * from './app-config.module';
export * from './config.types';
