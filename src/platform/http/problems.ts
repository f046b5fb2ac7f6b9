import type { FastifyError } from 'fastify'
import { AssureError, type AssureErrorCode, type Problem } from '../errors.ts'

/** What the error handler shows for an error: never a stack, SQL or internal message. */
export interface PresentedError {
  readonly status: number
  readonly code: string
  readonly title: string
  readonly detail: string
  readonly problems: readonly Problem[]
}

const STATUS_BY_CODE: Record<AssureErrorCode, number> = {
  CONFIG_INVALID: 500,
  NOT_FOUND: 404,
  VALIDATION_FAILED: 400,
  CONFLICT: 409,
  FORBIDDEN: 403,
  UNAUTHENTICATED: 401,
  PAYLOAD_TOO_LARGE: 413,
  STORE_UNAVAILABLE: 503,
  MIGRATION_FAILED: 500,
  CATALOGUE_INVALID: 500,
  OSCAL_INVALID: 422,
  RATE_LIMITED: 429,
}

const TITLES: Record<number, string> = {
  400: 'There is a problem with the request',
  401: 'You need to sign in',
  403: 'You do not have permission to do that',
  404: 'Page not found',
  405: 'That method is not allowed here',
  409: 'That conflicts with what is already stored',
  413: 'The request is too large',
  415: 'That content type is not accepted',
  422: 'The content is not valid',
  429: 'Too many requests',
  503: 'Sorry, the service is unavailable',
}

/** Fastify's own client errors, in words a person can act on. */
const FASTIFY_DETAILS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is larger than this service accepts.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Send the request as JSON or as a form.',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty but says it is JSON.',
  FST_CSRF_INVALID_TOKEN:
    'The form has expired or did not come from this service. Go back, reload the page and try again.',
  FST_CSRF_MISSING_SECRET:
    'The form has expired or did not come from this service. Go back, reload the page and try again.',
  FST_ERR_VALIDATION: 'The request is not valid.',
}

function isFastifyClientError(error: unknown): error is FastifyError & { statusCode: number } {
  const status = (error as { statusCode?: unknown } | null)?.statusCode
  return typeof status === 'number' && status >= 400 && status < 500
}

/** Maps any thrown value to what may be shown. Only AssureError messages and known client errors reach people. */
export function presentError(error: unknown): PresentedError {
  if (error instanceof AssureError) {
    const status = STATUS_BY_CODE[error.code]
    const safe = status < 500
    return {
      status,
      code: error.code,
      title: TITLES[status] ?? 'Sorry, there is a problem with the service',
      detail: safe ? error.message : 'Try again later.',
      problems: safe ? error.problems : [],
    }
  }
  if (isFastifyClientError(error)) {
    const status = error.statusCode
    return {
      status,
      code: error.code ?? 'CLIENT_ERROR',
      title: TITLES[status] ?? 'There is a problem with the request',
      detail: FASTIFY_DETAILS[error.code] ?? TITLES[status] ?? 'The request could not be processed.',
      problems: [],
    }
  }
  return {
    status: 500,
    code: 'INTERNAL',
    title: 'Sorry, there is a problem with the service',
    detail: 'Try again later.',
    problems: [],
  }
}

/** An RFC 9457 problem document for an error. */
export function problemDocument(presented: PresentedError, instance: string, requestId: string) {
  return {
    type: `urn:assure:problem:${presented.code.toLowerCase().replace(/_/g, '-')}`,
    title: presented.title,
    status: presented.status,
    detail: presented.detail,
    instance,
    requestId,
    ...(presented.problems.length > 0 ? { errors: presented.problems } : {}),
  }
}
