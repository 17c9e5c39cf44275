export * from './platform';
export * from './client-status';
export * from './federated-client';
export * from './local-round';
