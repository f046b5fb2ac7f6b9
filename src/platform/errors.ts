/** Stable error codes. Domain code throws these; adapters map them to HTTP statuses, exit codes or pages. */
export type AssureErrorCode =
  | 'CONFIG_INVALID'
  | 'NOT_FOUND'
  | 'VALIDATION_FAILED'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'PAYLOAD_TOO_LARGE'
  | 'STORE_UNAVAILABLE'
  | 'MIGRATION_FAILED'
  | 'CATALOGUE_INVALID'
  | 'OSCAL_INVALID'
  | 'RATE_LIMITED'

/** One problem with an input: where it is (a dotted path or a field name) and what is wrong, in words for people. */
export interface Problem {
  readonly path: string
  readonly message: string
}

/** The base of every error Assure raises on purpose; its message is safe to show to the person who caused it. */
export class AssureError extends Error {
  readonly code: AssureErrorCode

  readonly problems: readonly Problem[]

  constructor(
    code: AssureErrorCode,
    message: string,
    options: { problems?: readonly Problem[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AssureError'
    this.code = code
    this.problems = options.problems ?? []
  }
}

/** A refused input with one problem, on the field `path`: what forms show beside that field. */
export function invalidField(path: string, message: string): AssureError {
  return new AssureError('VALIDATION_FAILED', message, { problems: [{ path, message }] })
}

/** Shortcut for the commonest domain error. */
export function notFound(what: string): AssureError {
  return new AssureError('NOT_FOUND', `${what} was not found`)
}
