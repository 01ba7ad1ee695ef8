export * from './connection';
export * from './rpc-client';
export * from './rpc-server';
export * from './health';
export * from './outgoing-batch';
