import { AssureError } from '../platform/errors.ts'

/** How a command reports: human lines, or one JSON document with `--json`. */
export interface Output {
  readonly json: boolean
  /** Prints the result: `human` lines, or `data` as JSON. */
  result(data: unknown, human: string | string[]): void
}

/** An Output writing to the process's streams. */
export function createOutput(
  json: boolean,
  write: (text: string) => void = text => process.stdout.write(text),
): Output {
  return {
    json,
    result(data, human) {
      if (json) write(`${JSON.stringify(data, null, 2)}\n`)
      else write(`${(Array.isArray(human) ? human : [human]).join('\n')}\n`)
    },
  }
}

function describe(error: unknown): string {
  if (error instanceof AssureError) {
    // Validation problems already name the option; other errors lead with their message and the first problem.
    if (error.code === 'VALIDATION_FAILED' && error.problems.length > 0)
      return error.problems.map(p => p.message).join('; ')
    return [error.message, ...error.problems.slice(0, 1).map(p => `${p.path}: ${p.message}`)].join('; ')
  }
  return error instanceof Error ? error.message : String(error)
}

/** A failure as one line on stderr (and a JSON error on stdout with `--json`), then exit 1. Never a stack trace. */
export function fail(error: unknown, json: boolean): never {
  const oneLine = describe(error).replace(/\s+/g, ' ').trim()
  if (json) {
    const problems = error instanceof AssureError ? error.problems : []
    process.stdout.write(
      `${JSON.stringify({ error: { code: error instanceof AssureError ? error.code : 'FAILED', message: oneLine, problems } }, null, 2)}\n`,
    )
  }
  process.stderr.write(`assure: ${oneLine}\n`)
  if (!json && error instanceof AssureError && error.code !== 'VALIDATION_FAILED' && error.problems.length > 1) {
    for (const problem of error.problems.slice(1, 20)) process.stderr.write(`  ${problem.path}: ${problem.message}\n`)
    if (error.problems.length > 20) process.stderr.write(`  ...and ${error.problems.length - 20} more\n`)
  }
  process.exit(1)
}
