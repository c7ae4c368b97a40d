// `npm run docs:config`: writes docs/configuration.md from the settings table and its template.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { CONFIGURATION_DOC, generatedConfigurationDoc, ROOT } from './config-docs';

writeFileSync(CONFIGURATION_DOC, generatedConfigurationDoc());
process.stdout.write(`wrote ${relative(ROOT, CONFIGURATION_DOC)}\n`);
