export * from './agent';
export * from './events';
export * from './routes';
export * from './api-key';
