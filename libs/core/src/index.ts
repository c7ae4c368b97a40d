export * from './app-error';
export * from './clock';
export * from './ids';
export * from './result';
export * from './thread-priority';
