import { paths } from '../paths.ts'
import type { NotificationRow } from './store.ts'

/** A notification as the list page shows it. */
export interface NotificationView {
  readonly id: string
  readonly title: string
  readonly body: string
  readonly link: string | null
  readonly createdAt: string
  readonly unread: boolean
  /** Where its "mark as read" form posts. */
  readonly readAction: string
}

/** Shapes a stored notification for the page (never the row itself). */
export function presentNotification(row: NotificationRow): NotificationView {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    link: row.link,
    createdAt: row.created_at,
    unread: row.read_at === null,
    readAction: paths.notifications.read(row.id),
  }
}
