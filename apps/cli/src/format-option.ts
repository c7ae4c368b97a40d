import { Option } from 'commander';

/** `--format table|json` (default table), the option every listing and report takes. */
export function formatOption(): Option {
  return new Option('--format <format>', 'output format').choices(['table', 'json']).default('table');
}
