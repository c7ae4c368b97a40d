export * from './auth-throttle';
export * from './diagnostics';
export * from './main';
export * from './master-key';
export * from './run-servers';
export * from './runtime';
