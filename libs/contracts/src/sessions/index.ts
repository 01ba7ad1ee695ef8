export * from './session';
export * from './events';
export * from './instructions';
export * from './routes';
export * from './logs';
export * from './turns';
export * from './conversation';
export * from './state';
