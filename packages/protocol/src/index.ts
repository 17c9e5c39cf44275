export * from './version';
export * from './float16';
export * from './tensor-codec';
export * from './schemas';
export * from './events';
export * from './validate';
export * from './run-config';
export * from './shard-codec';
