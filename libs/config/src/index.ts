export * from './load';
export * from './schemas';
export * from './config-dir';
