import type { z } from 'zod'
import { AssureError, type Problem } from './errors.ts'

/** Turns zod issues into problems people can read, keyed by the dotted path of the input. */
export function problemsFrom(error: z.ZodError): Problem[] {
  return error.issues.flatMap(issue =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map(key => ({
          path: [...issue.path.map(String), key].join('.'),
          message: `${key} is not a recognised field`,
        }))
      : [{ path: issue.path.map(String).join('.'), message: issue.message }],
  )
}

/** Parses untrusted input at a boundary; on failure throws VALIDATION_FAILED listing every problem. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input)
  if (!result.success) {
    throw new AssureError('VALIDATION_FAILED', `The ${what} is not valid`, { problems: problemsFrom(result.error) })
  }
  return result.data
}
