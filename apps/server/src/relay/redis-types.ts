import type { createClient } from 'redis';

/** A connected node-redis client (the default modules; RESP2). */
export type RedisClient = ReturnType<typeof createClient>;

export interface ScaleLog {
  info: (o: object | string, msg?: string) => void;
  warn: (o: object | string, msg?: string) => void;
}

/** Every key this project writes in Redis starts with this, so one Redis can be shared with other software. */
export const KEY_PREFIX = 'clipfed:';
