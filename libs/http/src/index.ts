export * from './error-response';
export * from './error-table';
export * from './graceful-server';
export * from './health.routes';
export * from './logger-like';
export * from './metrics.route';
export * from './request-id.middleware';
export * from './trust-proxy';
