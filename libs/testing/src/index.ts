export * from './wait-for';
export * from './isolation';
export * from './decider-spec';
export * from './isolated-env';
export * from './system';
export * from './service-startup';
export { NatsCluster } from './nats-cluster';
export { PrivateInfra, type PrivateServer } from './private-infra';
export { mulberry32 } from './random';
