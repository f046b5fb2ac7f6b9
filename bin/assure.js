#!/usr/bin/env node
// Node 24 runs the TypeScript sources directly (type stripping); `npx assure` puts the project's Node first on PATH.
import { exitQuietlyOnClosedPipe, runCli } from '../src/cli/index.ts'

exitQuietlyOnClosedPipe()
runCli(process.argv.slice(2))
