import { registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggingConfig {
  level: LogLevel;
}

export const readLoggingConfig = (env = new EnvReader()): LoggingConfig => ({
  level: env.string('LOG_LEVEL', 'info', new RegExp(`^(${LOG_LEVELS.join('|')})$`)) as LogLevel,
});

export const loggingConfig = registerAs('logging', () => readLoggingConfig());
