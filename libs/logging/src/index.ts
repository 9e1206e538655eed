export * from './log-redaction';
export * from './log-context';
export * from './logging.module';
export * from './app.logger';
