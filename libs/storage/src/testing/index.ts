export * from './test-database';
export * from './test-dialects';
export * from './database-outage';
export * from './two-processes';
