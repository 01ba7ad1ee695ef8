export * from './plan';
export * from './workflow';
export * from './plan-routes';
