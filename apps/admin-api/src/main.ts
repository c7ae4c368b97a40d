#!/usr/bin/env node
// Runs the admin API alone (same as `navplane serve --only admin`).
import { runMain } from '@navplane/runtime';
import { createAdminServer } from './create-admin';

void runMain(async (runtime) => [await createAdminServer(runtime)]);
