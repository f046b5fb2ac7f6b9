import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { StoreLocation } from '../../src/platform/db/database.ts'
import { markSuiteRan, suiteUnavailable } from './suites.ts'

/** A store location on one engine, with its clean-up. */
export interface TestStore {
  readonly engine: 'sqlite' | 'postgres'
  readonly location: StoreLocation
  readonly dataDir: string
  dispose(): Promise<void>
}

/** A fresh SQLite file in a temporary folder. */
export function sqliteStore(): TestStore {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'assure-test-'))
  return {
    engine: 'sqlite',
    location: { engine: 'sqlite', file: path.join(dataDir, 'assure.sqlite') },
    dataDir,
    async dispose() {
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** A fresh PostgreSQL database created for this test file and dropped afterwards. */
export async function postgresStore(adminUrl: string): Promise<TestStore> {
  const name = `assure_test_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const dataDir = mkdtempSync(path.join(tmpdir(), 'assure-test-pg-'))
  markSuiteRan('postgres')
  return {
    engine: 'postgres',
    location: { engine: 'postgres', url: url.toString() },
    dataDir,
    async dispose() {
      const client = new pg.Client({ connectionString: adminUrl })
      await client.connect()
      await client.query(`drop database if exists ${name} with (force)`)
      await client.end()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/**
 * The engines every store test runs on: SQLite always, PostgreSQL when ASSURE_TEST_DATABASE_URL is set.
 * Each entry makes a fresh, empty store.
 */
export function engines(): Array<{ name: 'sqlite' | 'postgres'; create: () => Promise<TestStore> }> {
  const list: Array<{ name: 'sqlite' | 'postgres'; create: () => Promise<TestStore> }> = [
    { name: 'sqlite', create: async () => sqliteStore() },
  ]
  const url = process.env.ASSURE_TEST_DATABASE_URL
  if (url === undefined || url === '')
    suiteUnavailable('postgres', 'set ASSURE_TEST_DATABASE_URL to run the store tests on PostgreSQL')
  else list.push({ name: 'postgres', create: () => postgresStore(url) })
  return list
}
