import { SqliteAdapter } from 'kysely'

/** SQLite does run DDL inside transactions; Kysely's default adapter says otherwise, so failed migrations would leave half a schema. */
export class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true
  }
}
