import type { Migration } from 'kysely'
import * as catalogue from './0001-catalogue.ts'

/** Every migration, in order. Names are sorted by Kysely, so they carry a four-digit prefix. */
export const migrations: Record<string, Migration> = {
  '0001-catalogue': catalogue,
}
