export * from './wait-for';
export * from './isolation';
export * from './decider-spec';
export * from './isolated-env';
export * from './system';
export * from './service-startup';
