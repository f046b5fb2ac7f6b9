// Serves the two sides of the catalogue benchmark from one child process: a bare Fastify route returning a
// constant, and Assure itself on a fresh SQLite store (or PostgreSQL with ASSURE_BENCH_DATABASE_URL).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Fastify from 'fastify'
import { loadConfig } from '../src/config.ts'
import { bootstrap } from '../src/bootstrap.ts'
import { buildApp } from '../src/platform/http/app.ts'
import { buildPerson, sessionCookieFor } from '../test/helpers/people.ts'
import { testMasterKey } from '../test/helpers/keys.ts'
import { sessionCookieName } from '../src/identity/http.ts'

const dataDir = mkdtempSync(path.join(tmpdir(), 'assure-bench-'))
const bare = Fastify({ logger: false })
bare.get('/bare', async () => ({ status: 'ok' }))
await bare.listen({ host: '127.0.0.1', port: 0 })

const config = loadConfig({
  NODE_ENV: 'production',
  ASSURE_PUBLIC_URL: 'https://assure.bench.invalid',
  ASSURE_SMTP_URL: 'smtp://127.0.0.1:2525',
  ASSURE_DATA_DIR: dataDir,
  // Production refuses to start without a master key; the benchmark's is random per run, shared with its fixtures.
  ASSURE_MASTER_KEY: testMasterKey().toString('base64'),
  PORT: '0',
  LOG_LEVEL: 'warn',
  ...(process.env.ASSURE_BENCH_DATABASE_URL === undefined
    ? {}
    : { DATABASE_URL: process.env.ASSURE_BENCH_DATABASE_URL }),
})
const services = await bootstrap(config)
const app = await buildApp({ config, services, logger: { level: 'warn' } })
await app.listen({ host: '127.0.0.1', port: 0 })

// A signed-in person for the authenticated page: an ordinary role, so the 15-minute idle timeout applies.
const person = await buildPerson(services.store.db, { roles: ['supplier-contributor'] })
await services.store.db
  .updateTable('users')
  .set({ last_sign_in_at: new Date().toISOString() })
  .where('id', '=', person.id)
  .execute()
const cookie = (await sessionCookieFor(services.store.db, person.id)).replace(
  /^assure-session=/,
  `${sessionCookieName(config)}=`,
)

const port = (server: { address(): unknown }) => (server.address() as { port: number }).port
process.stdout.write(
  `${JSON.stringify({ bare: port(bare.server), assure: port(app.server), engine: services.store.engine, cookie })}\n`,
)

process.on('SIGTERM', () => {
  Promise.all([bare.close(), app.close()])
    .then(() => services.store.close())
    .finally(() => {
      rmSync(dataDir, { recursive: true, force: true })
      process.exit(0)
    })
})
