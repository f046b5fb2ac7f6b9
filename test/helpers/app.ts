import type { FastifyInstance } from 'fastify'
import { loadConfig, type Config } from '../../src/config.ts'
import { bootstrap } from '../../src/bootstrap.ts'
import { buildApp } from '../../src/platform/http/app.ts'
import type { Services } from '../../src/services.ts'
import type { TestStore } from './stores.ts'
import { testMasterKey } from './keys.ts'

/** A test configuration for a store, with overrides as environment variables. */
export function testConfig(store: TestStore, env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    ASSURE_DATA_DIR: store.dataDir,
    ASSURE_MASTER_KEY: testMasterKey().toString('base64'),
    ...(store.location.engine === 'postgres' ? { DATABASE_URL: store.location.url } : {}),
    ...env,
  })
}

/** The app on a store, bootstrapped as `npm start` does, without logging. */
export async function startApp(
  store: TestStore,
  options: { env?: Record<string, string>; beforeReady?: (app: FastifyInstance) => void; now?: () => Date } = {},
): Promise<{ app: FastifyInstance; services: Services; close: () => Promise<void> }> {
  const config = testConfig(store, options.env)
  const services = await bootstrap(config, options.now === undefined ? {} : { now: options.now })
  const app = await buildApp({ config, services, logger: false })
  options.beforeReady?.(app)
  await app.ready()
  return {
    app,
    services,
    async close() {
      await app.close()
      await services.queue.stop()
      await services.store.close()
    },
  }
}

/** A browser-like cookie jar for inject(): remembers Set-Cookie and sends the cookies back. */
export class CookieJar {
  private readonly cookies = new Map<string, string>()

  /** Stores the cookies a response sets (an empty value or a past expiry removes one). */
  take(response: { headers: Record<string, unknown> }): void {
    const header = response.headers['set-cookie']
    const lines = Array.isArray(header) ? header : [header]
    for (const line of lines.filter(value => value !== undefined)) {
      const [pair = ''] = String(line).split(';')
      const at = pair.indexOf('=')
      const name = pair.slice(0, at)
      const value = pair.slice(at + 1)
      if (value === '' || /Expires=Thu, 01 Jan 1970/i.test(String(line))) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }

  /** Adds a cookie given as `name=value`. */
  set(pair: string): void {
    const at = pair.indexOf('=')
    this.cookies.set(pair.slice(0, at), pair.slice(at + 1))
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  has(name: string): boolean {
    return this.cookies.has(name)
  }
}

/** A small browser over inject(): follows nothing, keeps cookies, and posts forms with the page's CSRF token. */
let nextAddress = 1
export function browserFor(app: FastifyInstance, cookie?: string) {
  const jar = new CookieJar()
  if (cookie !== undefined) jar.set(cookie)
  // Each browser comes from its own (private, never contacted) address, as people do, so per-address limits apply per browser.
  const remoteAddress = `10.${Math.floor(nextAddress / 65_536) % 256}.${Math.floor(nextAddress / 256) % 256}.${nextAddress % 256}`
  nextAddress += 1
  const get = async (url: string) => {
    const response = await app.inject({ method: 'GET', url, remoteAddress, headers: { cookie: jar.header() } })
    jar.take(response)
    return response
  }
  // Any page with a form gives a token for this browser's CSRF cookie; the sign-in page always has one.
  const post = async (url: string, form: Record<string, string | string[]>, tokenFrom = '/sign-in') => {
    const page = await get(tokenFrom)
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? ''
    const response = await app.inject({
      method: 'POST',
      remoteAddress,
      url,
      payload: { _csrf: token, ...form },
      headers: { cookie: jar.header() },
    })
    jar.take(response)
    return response
  }
  return { jar, get, post }
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
