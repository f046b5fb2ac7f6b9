import { NotifyClient } from 'notifications-node-client'
import { mailRecipients, type Mailer } from './mail.ts'

/** What the Notify mailer needs (validated at start-up by config.ts). */
export interface NotifySettings {
  /** `keyname-serviceId-secretId`, as Notify shows it. */
  readonly apiKey: string
  /** The generic template: subject `((subject))`, message `((body))`. */
  readonly templateId: string
  /** Notify's API, without a trailing slash. */
  readonly baseUrl: string
}

/** How long one request to Notify may take: a sweep waiting on a hung connection would hold up every notice after it. */
export const NOTIFY_TIMEOUT_MS = 30_000

type RestClient = (options: Record<string, unknown>) => Promise<unknown>

/** Says what Notify answered (or that it could not be reached), without the request's bearer token or addresses. */
export function describeNotifyFailure(error: unknown): string {
  const failure = error as {
    code?: unknown
    response?: { status?: unknown; data?: { errors?: Array<{ error?: unknown; message?: unknown }> } }
  }
  const status = failure.response?.status
  if (typeof status === 'number') {
    const reasons = (failure.response?.data?.errors ?? [])
      .map(entry => `${String(entry.error ?? 'Error')}: ${String(entry.message ?? '')}`)
      .join('; ')
    return `GOV.UK Notify refused the email (HTTP ${status})${reasons === '' ? '' : `: ${reasons}`}`
  }
  const code = typeof failure.code === 'string' ? failure.code : 'no answer'
  return `GOV.UK Notify could not be reached (${code})`
}

/**
 * Mail through GOV.UK Notify's API with one generic email template. Notify takes one address a request, so each
 * recipient gets their own message; if any is refused (400, 403, 429, 500 …) `send` rejects and the caller's retry
 * applies. The client signs each request with a short-lived JWT (HS256 with the key's secret, `iss` the service ID).
 */
export function createNotifyMailer(settings: NotifySettings): Mailer {
  const client = new NotifyClient(settings.baseUrl, settings.apiKey)
  // The client's axios has no timeout; wrap the one it uses rather than depend on axios ourselves.
  const { apiClient } = client as unknown as { apiClient: { restClient: RestClient } }
  const request = apiClient.restClient
  const withTimeout: RestClient = options => request({ ...options, timeout: NOTIFY_TIMEOUT_MS })
  client.setClient(withTimeout as unknown as Parameters<NotifyClient['setClient']>[0])
  return {
    async send(mail) {
      for (const address of mailRecipients(mail.to)) {
        try {
          await client.sendEmail(settings.templateId, address, {
            personalisation: { subject: mail.subject, body: mail.text },
          })
        } catch (error) {
          // No `cause`: the client's error carries the request, bearer token included, into any log that prints it.
          throw new Error(describeNotifyFailure(error))
        }
      }
    },
    close: () => undefined,
  }
}
