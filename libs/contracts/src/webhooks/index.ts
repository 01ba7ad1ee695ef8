export * from './webhook';
export * from './routes';
