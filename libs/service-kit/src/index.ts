export * from './tokens';
export * from './infrastructure';
export * from './dependency-error';
export * from './projection-host';
export * from './rpc-handler.decorator';
export * from './service-kit.module';
export * from './run-service';
export * from './command-meta';
