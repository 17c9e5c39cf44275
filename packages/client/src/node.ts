export * from './node-platform';
export * from './image-feature-store';
