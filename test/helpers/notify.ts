import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'

/** An email request the fake Notify accepted or refused, with the claims of the token that signed it. */
export interface NotifyRequest {
  readonly path: string
  readonly header: Record<string, unknown>
  readonly claims: Record<string, unknown>
  readonly body: Record<string, unknown>
}

/** A Notify API key in Notify's own shape: the key's name, the service ID, then the secret. */
export function notifyApiKey(serviceId = randomUUID(), secret = randomUUID(), name = 'assure_test'): string {
  return `${name}-${serviceId}-${secret}`
}

const base64url = (value: string) => Buffer.from(value, 'base64url')

/**
 * A real HTTP server on 127.0.0.1 playing GOV.UK Notify's `POST /v2/notifications/email`: it checks the bearer
 * JWT as Notify does (HS256 signed with the service's secret, `iss` the service ID, `iat` within 30 seconds) and
 * answers 403 AuthError otherwise, and takes queued failures (400, 429, 500 …) for the next requests.
 */
export async function startFakeNotify(keys: { serviceId: string; secret: string }) {
  const requests: NotifyRequest[] = []
  const failures: Array<{ status: number; error: string; message: string }> = []
  const reply = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' })
    response.end(JSON.stringify(body))
  }
  const refuse = (response: ServerResponse, status: number, error: string, message: string) =>
    reply(response, status, { status_code: status, errors: [{ error, message }] })

  const handle = (request: IncomingMessage, response: ServerResponse, raw: string) => {
    if (request.method !== 'POST' || request.url !== '/v2/notifications/email')
      return refuse(response, 404, 'NotFoundError', 'Not found')
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
    const [header = '', payload = '', signature = ''] = token?.split('.') ?? []
    const expected = createHmac('sha256', keys.secret).update(`${header}.${payload}`).digest()
    const given = base64url(signature)
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return refuse(response, 403, 'AuthError', 'Invalid token: API key not found')
    const parsedHeader = JSON.parse(base64url(header).toString('utf8')) as Record<string, unknown>
    const claims = JSON.parse(base64url(payload).toString('utf8')) as Record<string, unknown>
    if (parsedHeader.alg !== 'HS256') return refuse(response, 403, 'AuthError', 'Invalid token: algorithm')
    if (claims.iss !== keys.serviceId) return refuse(response, 403, 'AuthError', 'Invalid token: service not found')
    if (typeof claims.iat !== 'number' || Math.abs(claims.iat - Date.now() / 1000) > 30)
      return refuse(response, 403, 'AuthError', 'Error: Your system clock must be accurate to within 30 seconds')
    const body = JSON.parse(raw) as Record<string, unknown>
    requests.push({ path: request.url, header: parsedHeader, claims, body })
    const failure = failures.shift()
    if (failure !== undefined) return refuse(response, failure.status, failure.error, failure.message)
    const personalisation = (body.personalisation ?? {}) as Record<string, string>
    return reply(response, 201, {
      id: randomUUID(),
      reference: null,
      content: {
        subject: personalisation.subject,
        body: personalisation.body,
        from_email: 'assure@notifications.service.gov.uk',
      },
      uri: `http://127.0.0.1/v2/notifications/${randomUUID()}`,
      template: { id: body.template_id, version: 1, uri: 'http://127.0.0.1/v2/template' },
    })
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => handle(request, response, Buffer.concat(chunks).toString('utf8')))
  })
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Answers the next request with this error, as Notify does (`{ status_code, errors: [{ error, message }] }`). */
    failNext(status: number, error: string, message: string) {
      failures.push({ status, error, message })
    },
    close: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve())
      }),
  }
}
