export * from './bug';
export * from './routes';
