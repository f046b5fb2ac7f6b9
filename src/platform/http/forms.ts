import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify'
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

/** What a form page shows: the values entered so far and the problems to point at (none on first view). */
export type FormPage<Context> = (
  reply: FastifyReply,
  context: Context,
  values: Record<string, unknown>,
  problems: Problem[],
) => FastifyReply | Promise<FastifyReply>

/**
 * A form's two routes, post/redirect/get: GET finds what the form is about (`load`, which refuses what the caller
 * may not reach) and shows it empty; POST parses the body, runs the operation and, on problems, shows the form
 * again with the GOV.UK error summary (400, nothing saved), or redirects (303) to where `submit` says.
 */
export function registerFormRoutes<Params, Context, Data>(
  app: FastifyInstance,
  props: {
    readonly path: string
    readonly options: RouteShorthandOptions
    readonly load: (request: FastifyRequest<{ Params: Params }>) => Promise<Context>
    readonly page: FormPage<Context>
    readonly parse: (body: Record<string, unknown>) => { data: Data } | { problems: Problem[] }
    /** Runs the operation; returns where to go next. Its validation problems are shown on the form. */
    readonly submit: (request: FastifyRequest<{ Params: Params }>, context: Context, data: Data) => Promise<string>
  },
): void {
  app.get<{ Params: Params }>(props.path, props.options, async (request, reply) =>
    props.page(reply, await props.load(request), {}, []),
  )
  app.post<{ Params: Params }>(props.path, props.options, async (request, reply) => {
    const context = await props.load(request)
    const body = bodyOf(request)
    const parsed = props.parse(body)
    let next = ''
    const problems =
      'problems' in parsed
        ? parsed.problems
        : await orProblems(async () => {
            next = await props.submit(request, context, parsed.data)
          })
    if (problems.length > 0) return props.page(reply.status(400), context, body, problems)
    return reply.redirect(next, 303)
  })
}
