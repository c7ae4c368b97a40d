export * from './app';
export * from './create-admin';
