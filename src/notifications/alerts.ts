import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../platform/db/schema.ts'
import type { Mailer } from '../platform/mail/mailer.ts'
import type { Role } from '../identity/roles.ts'
import type { Recipient } from '../deadlines/recipients.ts'
import { notifyPeople } from './notifications.ts'

/** Active Authority people holding any of the roles, in address order: who is told of a supplier's report at once. */
export async function authorityPeople(db: Kysely<Database>, roles: readonly Role[]): Promise<Recipient[]> {
  const rows = await db
    .selectFrom('users as u')
    .innerJoin('user_roles as r', 'r.user_id', 'u.id')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select(['u.id', 'u.email'])
    .distinct()
    .where('o.kind', '=', 'authority')
    .where('u.status', '=', 'active')
    .where('r.role', 'in', [...roles])
    .orderBy('u.email')
    .execute()
  return rows.map(row => ({ id: row.id, email: row.email }))
}

/** A message to tell people at once: in their Assure notification list and by email. */
export interface Alert {
  readonly title: string
  /** The email's text; its first line is the in-service notification's body. */
  readonly lines: readonly string[]
  /** The page it is about, inside Assure. */
  readonly path: string
  /** What raised it, so a retried request never lists it twice. */
  readonly source: string
}

/**
 * Tells people at once, in two halves. `record` adds the in-service notification inside the caller's transaction, so
 * it commits with the report it is about; `send` emails each person after the commit. A mail server that is down
 * loses nothing: the report and the notification are stored, and the failure is counted rather than thrown, so the
 * supplier who reported is not shown an error for the Authority's mail.
 */
export function alertPeople(recipients: readonly Recipient[], alert: Alert) {
  return {
    record: (trx: Transaction<Database>, now: Date) =>
      notifyPeople(
        trx,
        {
          userIds: recipients.flatMap(person => (person.id === null ? [] : [person.id])),
          title: alert.title,
          body: alert.lines[0] ?? alert.title,
          link: alert.path,
          source: alert.source,
        },
        now,
      ),
    async send(mailer: Mailer, publicUrl: string): Promise<{ sent: number; failed: number }> {
      const text = [...alert.lines, '', `Read it in Assure: ${publicUrl}${alert.path}`].join('\n')
      let failed = 0
      for (const person of recipients) {
        try {
          await mailer.send({ to: person.email, subject: alert.title, text })
        } catch {
          failed += 1
        }
      }
      return { sent: recipients.length - failed, failed }
    },
  }
}
