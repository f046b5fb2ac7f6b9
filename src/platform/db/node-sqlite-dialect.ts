import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite'
import { SqliteDialect, type SqliteAdapter, type SqliteDatabase, type SqliteStatement } from 'kysely'
import { TransactionalDdlSqliteAdapter } from './transactional-sqlite-adapter.ts'

const STATEMENT_CACHE_SIZE = 500

/**
 * Kysely's SqliteDialect expects a better-sqlite3-like handle; this adapts Node's built-in `node:sqlite`
 * so the embedded store needs no native addon.
 */
function adapt(database: DatabaseSync): SqliteDatabase {
  // Kysely prepares every query it runs; preparing is a good part of a short query's cost, so statements are
  // kept by their SQL text (queries are parameterised, so the set of texts is small and bounded).
  const statements = new Map<string, StatementSync>()
  const prepared = (sql: string): StatementSync => {
    let statement = statements.get(sql)
    if (statement === undefined) {
      statement = database.prepare(sql)
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value as string)
      statements.set(sql, statement)
    }
    return statement
  }
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      const statement = prepared(sql)
      const params = (parameters: ReadonlyArray<unknown>) => parameters.map(toSqlite)
      return {
        reader: statement.columns().length > 0,
        all: parameters => statement.all(...params(parameters)),
        run: parameters => {
          const { changes, lastInsertRowid } = statement.run(...params(parameters))
          return { changes, lastInsertRowid }
        },
        iterate: parameters => statement.iterate(...params(parameters)),
      }
    },
  }
}

function toSqlite(value: unknown): SQLInputValue {
  if (typeof value === 'boolean') return value ? 1 : 0
  if (value instanceof Date) return value.toISOString()
  return value as SQLInputValue
}

/** A Kysely dialect over `node:sqlite` with WAL, foreign keys and a busy timeout switched on. */
export class NodeSqliteDialect extends SqliteDialect {
  constructor(file: string) {
    super({
      database: async () => {
        const database = new DatabaseSync(file, { timeout: 5000 })
        database.exec('PRAGMA journal_mode = WAL')
        database.exec('PRAGMA foreign_keys = ON')
        database.exec('PRAGMA synchronous = NORMAL')
        return adapt(database)
      },
    })
  }

  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter()
  }
}
