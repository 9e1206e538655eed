import pretty from 'pino-pretty';

/**
 * Readable log lines for a person at a terminal: time, level, the class that
 * logged, the message. Request lines keep method, path, status and duration;
 * the full objects stay in the JSON format that every other output gets.
 */
export const prettyStream = () =>
  pretty({
    colorize: true,
    translateTime: 'HH:MM:ss.l',
    ignore: 'pid,hostname,app,req,res,responseTime,context',
    messageFormat: (log, messageKey) => {
      const app = typeof log.app === 'string' ? `${log.app} ` : '';
      const context = typeof log.context === 'string' ? `[${log.context}] ` : '';
      const req = log.req as { method?: string; url?: string } | undefined;
      const res = log.res as { statusCode?: number } | undefined;
      const took = typeof log.responseTime === 'number' ? log.responseTime : '';
      const request = req?.method ? ` ${req.method} ${req.url} ${res?.statusCode ?? ''} ${took}ms` : '';
      const message = log[messageKey];
      return `${app}${context}${typeof message === 'string' ? message : JSON.stringify(message ?? '')}${request}`;
    },
  });
