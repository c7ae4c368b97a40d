export * from './resolve/resolve-policy';
export * from './resolve/policy-store';
