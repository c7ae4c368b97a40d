export * from './app';
export * from './create-gateway';
