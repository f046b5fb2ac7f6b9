import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/**
 * Suites that need something from the machine (PostgreSQL, Chromium) run when it is there. Without it they are
 * reported as not run, loudly; with ASSURE_REQUIRE_SUITES naming them (CI does) a missing one fails the run.
 */
export function requiredSuites(): Set<string> {
  return new Set(
    (process.env.ASSURE_REQUIRE_SUITES ?? '')
      .split(',')
      .map(s => s.trim())
      .filter(Boolean),
  )
}

/** Records that a suite really ran, for `.ci/run` to check after the test runner finishes. */
export function markSuiteRan(suite: string): void {
  const dir = path.resolve('test-results', 'suites')
  mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(dir, suite), `${new Date().toISOString()}\n`)
}

/** Says a suite did not run, or fails when it is required. */
export function suiteUnavailable(suite: string, reason: string): void {
  const message = `${suite} suite NOT RUN: ${reason}`
  if (requiredSuites().has(suite)) throw new Error(`${message} (ASSURE_REQUIRE_SUITES requires it)`)
  process.stderr.write(`\n*** ${message} ***\n\n`)
}
