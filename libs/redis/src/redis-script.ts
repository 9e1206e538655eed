/**
 * A Lua script that a feature runs atomically in Redis. Each is declared once,
 * next to the code that owns its keys, and RedisConnection registers it on the
 * connection by name the first time it runs: after that a call sends only the
 * script's hash, keys and arguments, never its source.
 */
export interface RedisScript {
  /** Unique per process, and not the name of a Redis command: it becomes a method of the client. */
  readonly name: string;
  /** How many of a call's values are keys; the rest are arguments. */
  readonly keys: number;
  readonly lua: string;
}

export const redisScript = (name: string, keys: number, lua: string): RedisScript => ({ name, keys, lua });
