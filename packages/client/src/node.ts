export * from './node-platform';
