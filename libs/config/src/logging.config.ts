import { registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `auto` writes human-readable lines to a terminal and JSON lines anywhere else. */
export type LogFormat = 'auto' | 'json' | 'pretty';

export interface LoggingConfig {
  level: LogLevel;
  format: LogFormat;
}

export const readLoggingConfig = (env = new EnvReader()): LoggingConfig => ({
  level: env.string('LOG_LEVEL', 'info', new RegExp(`^(${LOG_LEVELS.join('|')})$`)) as LogLevel,
  format: env.string('LOG_FORMAT', 'auto', /^(?:auto|json|pretty)$/) as LogFormat,
});

export const loggingConfig = registerAs('logging', () => readLoggingConfig());
