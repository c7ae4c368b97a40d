import { enableCompileCache } from 'node:module';

// Imported first by main.ts, before any other module loads. Node keeps the compiled code of the CLI's modules on disk
// (its own default directory under the OS temp dir; NODE_COMPILE_CACHE chooses another, NODE_DISABLE_COMPILE_CACHE=1
// turns it off), so every command after the first starts about a third faster: the CLI loads the whole stack (storage,
// vault, the gateway) even for a one-line answer. It never throws: without a writable directory the CLI starts as before.
enableCompileCache();
