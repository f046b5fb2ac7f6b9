import type { FastifyInstance } from 'fastify'
import { loadConfig, type Config } from '../../src/config.ts'
import { bootstrap } from '../../src/bootstrap.ts'
import { buildApp } from '../../src/platform/http/app.ts'
import type { Services } from '../../src/services.ts'
import type { TestStore } from './stores.ts'

/** A test configuration for a store, with overrides as environment variables. */
export function testConfig(store: TestStore, env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    ASSURE_DATA_DIR: store.dataDir,
    ...(store.location.engine === 'postgres' ? { DATABASE_URL: store.location.url } : {}),
    ...env,
  })
}

/** The app on a store, bootstrapped as `npm start` does, without logging. */
export async function startApp(
  store: TestStore,
  options: { env?: Record<string, string>; beforeReady?: (app: FastifyInstance) => void } = {},
): Promise<{ app: FastifyInstance; services: Services; close: () => Promise<void> }> {
  const config = testConfig(store, options.env)
  const services = await bootstrap(config)
  const app = await buildApp({ config, services, logger: false })
  options.beforeReady?.(app)
  await app.ready()
  return {
    app,
    services,
    async close() {
      await app.close()
      await services.store.close()
    },
  }
}

/** Fetches a form page, returning its CSRF token and cookie, as a browser would before posting. */
export async function csrfFor(app: FastifyInstance, url: string): Promise<{ token: string; cookie: string }> {
  const response = await app.inject({ method: 'GET', url })
  const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1]
  const setCookie = response.headers['set-cookie']
  const cookie = (Array.isArray(setCookie) ? setCookie : [setCookie ?? '']).map(c => c.split(';')[0]).join('; ')
  if (token === undefined) throw new Error(`No CSRF token on ${url}`)
  return { token, cookie }
}
