export * from './gen-ai-conventions';
export * from './start-open-telemetry';
