export * from './resolve/resolve-policy';
export * from './resolve/policy-store';
export * from './resolve/placeholder-salt';
