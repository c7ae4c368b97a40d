#!/usr/bin/env node
// First, so that every module below is loaded through the compile cache (compile-cache.ts).
import './compile-cache';
import { errorMessage } from '@navplane/core';
import { createProgram } from './program';
import { CliError } from './output';

async function main(): Promise<void> {
  try {
    await createProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CliError) {
      if (error.message) process.stderr.write(`navplane: ${error.message.split('\n').join('\nnavplane: ')}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`navplane: unexpected error: ${errorMessage(error)}\n`);
    process.exitCode = 1;
  }
}

void main();
