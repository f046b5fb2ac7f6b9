import { after, before } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import type { Services } from '../../src/services.ts'
import { startApp } from './app.ts'
import { launchBrowser, listenOnLoopback, signedInPage } from './browser.ts'
import { sessionCookieFor } from './people.ts'
import { sqliteStore, type TestStore } from './stores.ts'

/** A browser suite's running app. */
export interface BrowserApp {
  /** Chromium, or undefined when it is not installed: skip each test with `{ skip: suite.browser === undefined }`. */
  readonly browser: Browser | undefined
  /** The app's address on loopback; set once the suite's `before` has run. */
  readonly baseUrl: string
  /** The app's services; set once the suite's `before` has run. */
  readonly services: Services
  /** A new page in its own context, signed in as the person (the session's clock at `at`, now by default). */
  pageFor(personId: string, at?: Date): Promise<Page>
}

/**
 * Sets up a browser suite: launches Chromium now, and registers a `before` that starts the app on a fresh SQLite store
 * listening on loopback, and an `after` that closes all of it. Call it inside `describe`, before the suite's own
 * `before`, which then runs second and can seed the store.
 */
export async function browserApp(options: Parameters<typeof startApp>[1] = {}): Promise<BrowserApp> {
  const browser = await launchBrowser()
  let store: TestStore | undefined
  let started: Awaited<ReturnType<typeof startApp>> | undefined
  let baseUrl = ''
  before(async () => {
    if (browser === undefined) return
    store = sqliteStore()
    started = await startApp(store, options)
    baseUrl = await listenOnLoopback(started.app)
  })
  after(async () => {
    await browser?.close()
    await started?.close()
    await store?.dispose()
  })
  const services = (): Services => {
    if (started === undefined)
      throw new Error('the browser suite’s app is not running: no Chromium, or before() has not run')
    return started.services
  }
  return {
    browser,
    get baseUrl() {
      return baseUrl
    },
    get services() {
      return services()
    },
    async pageFor(personId, at) {
      if (browser === undefined) throw new Error('no Chromium')
      return signedInPage(browser, baseUrl, await sessionCookieFor(services().store.db, personId, at))
    },
  }
}
