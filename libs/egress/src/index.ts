export { isPublicAddress } from './address-ranges';
export { normalizeHost, parseEgressAllowlist, type EgressAllowlist } from './allowlist';
export {
  createEgressGuard,
  EgressRefusedError,
  type ConnectLookup,
  type EgressGuard,
  type EgressGuardOptions,
  type EgressRefusal,
  type EgressRefused,
  type ResolveAll,
} from './egress-guard';
