import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { Kysely, Migrator, PostgresDialect, sql, type Migration, type MigrationProvider } from 'kysely'
import pg from 'pg'
import { AssureError } from '../errors.ts'
import { NodeSqliteDialect } from './node-sqlite-dialect.ts'
import { migrations as allMigrations } from './migrations/index.ts'
import type { Database } from './schema.ts'

/** Where the store lives: an SQLite file (the embedded default) or a PostgreSQL URL. */
export type StoreLocation =
  { readonly engine: 'sqlite'; readonly file: string } | { readonly engine: 'postgres'; readonly url: string }

/** An open store: the Kysely handle plus the few things that differ between engines. */
export interface Store {
  readonly db: Kysely<Database>
  readonly engine: StoreLocation['engine']
  /** The database server's clock, for /readyz to compare with the app's. */
  databaseTime(): Promise<Date>
  close(): Promise<void>
}

/** Opens the store; SQLite's folder is created if it is missing. */
export function openStore(location: StoreLocation): Store {
  if (location.engine === 'sqlite') {
    mkdirSync(path.dirname(location.file), { recursive: true, mode: 0o700 })
    const db = new Kysely<Database>({ dialect: new NodeSqliteDialect(location.file) })
    return {
      db,
      engine: 'sqlite',
      async databaseTime() {
        const { rows } = await sql<{ now: string }>`select strftime('%Y-%m-%dT%H:%M:%fZ', 'now') as now`.execute(db)
        return new Date(rows[0]?.now ?? Number.NaN)
      },
      close: () => db.destroy(),
    }
  }
  // Keep pg from turning bigint counts into strings of surprise: we never store 64-bit integers.
  pg.types.setTypeParser(pg.types.builtins.INT8, value => Number(value))
  const pool = new pg.Pool({ connectionString: location.url, max: 10, connectionTimeoutMillis: 5000 })
  // An idle connection the server ends (a restart, a failover, an administrator) is dropped from the pool and
  // replaced on next use; without a listener, pg raises it as an uncaught exception and the process dies.
  pool.on('error', error => {
    process.emitWarning(`PostgreSQL closed an idle connection: ${error.message}`, { code: 'ASSURE_PG_IDLE' })
  })
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  return {
    db,
    engine: 'postgres',
    async databaseTime() {
      const { rows } = await sql<{ now: Date }>`select now() as now`.execute(db)
      return new Date(rows[0]?.now ?? Number.NaN)
    },
    close: () => db.destroy(),
  }
}

class StaticProvider implements MigrationProvider {
  private readonly migrations: Record<string, Migration>

  constructor(migrations: Record<string, Migration>) {
    this.migrations = migrations
  }

  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations
  }
}

function migratorFor(db: Kysely<Database>, migrations: Record<string, Migration>): Migrator {
  return new Migrator({ db, provider: new StaticProvider(migrations) })
}

/** Brings the store up to date in one transaction: a migration that fails leaves the store as it was. */
export async function migrateToLatest(
  store: Store,
  migrations: Record<string, Migration> = allMigrations,
): Promise<{ applied: string[] }> {
  const { error, results } = await migratorFor(store.db, migrations).migrateToLatest()
  if (error !== undefined) {
    const failed = results?.find(result => result.status === 'Error')?.migrationName ?? 'unknown'
    const reason = error instanceof Error ? error.message : String(error)
    throw new AssureError('MIGRATION_FAILED', `Migration ${failed} failed and nothing was changed: ${reason}`, {
      cause: error,
    })
  }
  return { applied: (results ?? []).filter(result => result.status === 'Success').map(result => result.migrationName) }
}

/** Names of the migrations the code has but the store has not run yet. */
export async function pendingMigrations(
  store: Store,
  migrations: Record<string, Migration> = allMigrations,
): Promise<string[]> {
  const known = await migratorFor(store.db, migrations).getMigrations()
  return known.filter(migration => migration.executedAt === undefined).map(migration => migration.name)
}
