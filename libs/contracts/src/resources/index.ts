export * from './resources';
export * from './budgets';
export * from './events';
export * from './routes';
