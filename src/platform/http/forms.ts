import type { FastifyRequest } from 'fastify'
import type { z } from 'zod'
import { AssureError, type Problem } from '../errors.ts'
import { problemsFrom } from '../validation.ts'

/** GOV.UK error summary and per-field messages from validation problems, linking each to its field. */
export function formErrors(problems: readonly Problem[], firstInput: Record<string, string> = {}) {
  const fieldErrors: Record<string, string> = {}
  for (const problem of problems) {
    const field = problem.path === '' ? 'form' : problem.path
    fieldErrors[field] ??= problem.message
  }
  return {
    errors: Object.entries(fieldErrors).map(([field, message]) => ({
      text: message,
      href: `#${firstInput[field] ?? field}`,
    })),
    fieldErrors,
  }
}

/** A form body against its schema: the data, or the problems to show (the CSRF field is the framework's, not the person's). */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
): { data: z.infer<S> } | { problems: Problem[] } {
  const result = schema.safeParse(body)
  return result.success
    ? { data: result.data }
    : { problems: problemsFrom(result.error).filter(p => p.path !== '_csrf') }
}

/** Runs an operation; its validation problems are returned, to show on the form again, rather than thrown. */
export async function orProblems(run: () => Promise<unknown>): Promise<Problem[]> {
  try {
    await run()
    return []
  } catch (error) {
    if (error instanceof AssureError && error.code === 'VALIDATION_FAILED') return [...error.problems]
    throw error
  }
}

/** A request's parsed form body (formbody gives an object; anything else is treated as empty). */
export const bodyOf = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>

/** A checkbox group's values: none, one (a string) or several (an array) as a list. */
export const checkedValues = (value: unknown) => ([] as string[]).concat((value as string[] | string | undefined) ?? [])
