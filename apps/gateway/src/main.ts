#!/usr/bin/env node
// Runs the gateway alone (same as `navplane serve --only gateway`).
import { runMain } from '@navplane/runtime';
import { createGatewayServer } from './create-gateway';

void runMain(async (runtime) => [await createGatewayServer(runtime)]);
