export * from './app-error';
export * from './clock';
export * from './database-url';
export * from './ids';
export * from './result';
export * from './thread-priority';
