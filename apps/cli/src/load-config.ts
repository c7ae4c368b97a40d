import { formatConfigProblems, loadConfigFromProcess, type NavPlaneConfig } from '@navplane/config';
import { CliError } from './output';

/** Loads and validates the configuration or fails with one line per problem. */
export function loadConfigOrFail(): NavPlaneConfig {
  const loaded = loadConfigFromProcess();
  if (!loaded.ok) {
    throw new CliError(formatConfigProblems(loaded.error).join('\n'));
  }
  return loaded.value;
}
