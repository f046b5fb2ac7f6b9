import type { FastifyInstance, FastifyRequest } from 'fastify'
import { paths } from '../paths.ts'
import { AssureError } from '../platform/errors.ts'
import { PERMISSIONS } from '../identity/policy.ts'
import { requestActor } from '../audit/attribution.ts'
import type { Identity } from '../identity/http.ts'
import { markAllNotificationsRead, markNotificationRead, type NotificationDeps } from './notifications.ts'
import { presentNotification } from './presenters.ts'
import { listNotifications, NOTIFICATIONS_PAGE_SIZE, unreadCount } from './store.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person's unread notifications, counted for the navigation on page requests; null otherwise. */
    unreadNotifications: number | null
  }
}

function signedIn(request: FastifyRequest): Identity {
  if (request.identity === null) throw new AssureError('UNAUTHENTICATED', 'Sign in to continue')
  return request.identity
}

const reader = (request: FastifyRequest) => ({
  userId: signedIn(request).user.id,
  actor: requestActor(request),
  requestId: request.id,
  ip: request.ip,
})

const BANNERS = { one: 'Notification marked as read', all: 'All notifications marked as read' } as const

/** A person's own notification list, marking them read, and the unread count the navigation shows. */
export function registerNotificationRoutes(app: FastifyInstance, deps: NotificationDeps): void {
  const own = { config: { permission: PERMISSIONS.account } }

  app.decorateRequest('unreadNotifications', null)
  // Runs after authentication's preHandler (registered first), only for signed-in page requests: one indexed count.
  app.addHook('preHandler', async request => {
    if (request.method !== 'GET' || request.identity?.session.stage !== 'active') return
    if (request.url.startsWith('/api/') || request.url.startsWith(paths.assets)) return
    request.unreadNotifications = await unreadCount(deps.db, request.identity.user.id)
  })

  app.get<{ Querystring: { read?: string } }>(paths.notifications.list, own, async (request, reply) => {
    const { user } = signedIn(request)
    const rows = await listNotifications(deps.db, user.id)
    const { read } = request.query
    return reply.page('notifications.njk', {
      notifications: rows.map(presentNotification),
      unread: request.unreadNotifications ?? (await unreadCount(deps.db, user.id)),
      more: rows.length === NOTIFICATIONS_PAGE_SIZE,
      banner: read === 'one' || read === 'all' ? BANNERS[read] : null,
    })
  })

  app.post<{ Params: { id: string } }>('/notifications/:id/read', own, async (request, reply) => {
    await markNotificationRead(deps, { ...reader(request), notificationId: request.params.id })
    return reply.redirect(`${paths.notifications.list}?read=one`, 303)
  })

  app.post(paths.notifications.readAll, own, async (request, reply) => {
    await markAllNotificationsRead(deps, reader(request))
    return reply.redirect(`${paths.notifications.list}?read=all`, 303)
  })
}
