export * from './session';
export * from './events';
export * from './instructions';
export * from './routes';
