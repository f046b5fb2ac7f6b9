import type { Kysely } from 'kysely'
import type { Database } from '../platform/db/schema.ts'
import type { Catalogue } from '../catalogue/catalogue.ts'
import type { Mailer } from '../platform/mail/mailer.ts'

/** What identity operations need. */
export interface IdentityDeps {
  readonly db: Kysely<Database>
  readonly catalogue: Catalogue
  readonly now: () => Date
  readonly mailer: Mailer
  /** The address people use, for links in mail and the WebAuthn relying party. */
  readonly publicUrl: string
  /** Seals MFA secrets at rest. */
  readonly masterKey: Uint8Array
}

/** Where a request came from, for the audit trail and the session list. */
export interface RequestContext {
  readonly ip?: string | undefined
  readonly userAgent?: string | undefined
  readonly requestId?: string | undefined
}
