/**
 * Express's `trust proxy` value from NavPlane's parsed setting (false, a hop count, or a list of
 * addresses/subnets/names). Express wants a mutable array or a comma-separated string.
 */
export function trustProxySetting(value: boolean | number | readonly string[]): boolean | number | string {
  if (typeof value === 'boolean' || typeof value === 'number') return value;
  return value.join(',');
}
