import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { createServer } from 'node:net'
import path from 'node:path'
import type { Browser, CDPSession, Page } from 'playwright-core'
import { AxeBuilder } from '@axe-core/playwright'
import { TOTP, Secret } from 'otpauth'
import { startApp } from './helpers/app.ts'
import { launchBrowser } from './helpers/browser.ts'
import { sqliteStore, type TestStore } from './helpers/stores.ts'
import { startSmtp } from './helpers/smtp.ts'
import { createSetupLink } from '../src/identity/setup.ts'
import type { Services } from '../src/services.ts'

const SCREENSHOTS = path.resolve('test-results', 'screenshots')

/** A free loopback port, so the public URL (and so the WebAuthn origin) is known before the app starts. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as { port: number }
  await new Promise<void>(resolve => {
    server.close(() => resolve())
  })
  return port
}

async function check(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true })
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze()
  assert.deepEqual(
    results.violations.map(
      v =>
        `${v.id}: ${v.nodes
          .map(n => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    ),
    [],
    `${name} has accessibility violations`,
  )
}

async function addAuthenticator(cdp: CDPSession, options: Record<string, unknown>): Promise<string> {
  const { authenticatorId } = (await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'usb',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
      ...options,
    },
  } as never)) as { authenticatorId: string }
  return authenticatorId
}

describe('signing in with security keys and passkeys in Chromium (v5.0.0-6.5.x)', async () => {
  const browser: Browser | undefined = await launchBrowser()
  let store: TestStore
  let services: Services
  let close: () => Promise<void>
  let baseUrl: string
  let page: Page
  let cdp: CDPSession
  const consoleErrors: string[] = []
  const email = 'ada@justice.example'
  const password = 'quiet harbour lanterns'
  let recoveryCodes: string[] = []
  let hardwareKey = ''
  let smtp: Awaited<ReturnType<typeof startSmtp>>

  before(async () => {
    if (browser === undefined) return
    mkdirSync(SCREENSHOTS, { recursive: true })
    store = sqliteStore()
    const port = await freePort()
    baseUrl = `http://localhost:${port}`
    smtp = await startSmtp()
    const started = await startApp(store, {
      env: { PORT: String(port), ASSURE_PUBLIC_URL: baseUrl, ASSURE_SMTP_URL: smtp.url },
    })
    services = started.services
    close = started.close
    await started.app.listen({ host: '127.0.0.1', port })
    const context = await browser.newContext()
    page = await context.newPage()
    page.on('console', message => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    cdp = await context.newCDPSession(page)
    await cdp.send('WebAuthn.enable')
  })
  after(async () => {
    await browser?.close()
    if (close !== undefined) await close()
    await smtp?.close()
    await store?.dispose()
  })

  const test = browser === undefined ? it.todo : it

  test('creates the first administrator from the one-time link and enrols a security key', async () => {
    const { url } = await createSetupLink(services.identityDeps)
    await page.goto(url)
    await check(page, 'setup')
    await page.fill('#email', email)
    await page.fill('#displayName', 'Ada Lovelace')
    await page.fill('#password', password)
    await page.fill('#confirmPassword', password)
    await page.selectOption('#clearance', 'SC')
    await page.fill('#clearanceCheckedOn-day', '1')
    await page.fill('#clearanceCheckedOn-month', '3')
    await page.fill('#clearanceCheckedOn-year', '2026')
    await page.click('button:has-text("Create administrator")')
    await page.waitForURL(/\/account\/second-factor$/)
    await check(page, 'enrol-security-key')

    hardwareKey = await addAuthenticator(cdp, {})
    await page.fill('#keyName', 'Blue YubiKey')
    await page.click('#add-security-key')
    await page.waitForURL(/\/account\/recovery-codes$/)
    recoveryCodes = await page.locator('#recovery-codes code').allTextContents()
    assert.equal(recoveryCodes.length, 10)
    await check(page, 'recovery-codes')
    await page.click('text=Continue to your account')
    await page.waitForURL(/\/account$/)
    const factor = await page.locator('#factors tbody tr').first().textContent()
    assert.match(factor ?? '', /Blue YubiKey \(rename or remove\)\s+Security key\s+1\. Hardware-based/)
    await check(page, 'account')
  })

  test('signs out and back in with the security key', async () => {
    await page.click('button:has-text("Sign out")')
    await page.waitForSelector('h1:has-text("You have signed out")')
    await page.goto(`${baseUrl}/sign-in`)
    await check(page, 'sign-in')
    await page.fill('#email', email)
    await page.fill('#password', password)
    await page.click('button:has-text("Continue")')
    await page.waitForURL(/\/sign-in\/verify$/)
    await check(page, 'verify')
    await page.click('#use-security-key')
    await page.waitForURL(/\/account$/)
  })

  test('adds a synced passkey, ranked after the hardware key', async () => {
    // The key is unplugged; the passkey lives on this laptop and is synced to the person's other devices.
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: hardwareKey } as never)
    await addAuthenticator(cdp, { transport: 'internal', defaultBackupEligibility: true, defaultBackupState: true })
    await page.goto(`${baseUrl}/account/second-factor`)
    await page.fill('#keyName', 'Laptop passkey')
    await page.click('#add-security-key')
    await page.waitForURL(/\/account$/)
    const rows = await page.locator('#factors tbody tr').allTextContents()
    assert.equal(rows.length, 2)
    assert.match(rows[1] ?? '', /Laptop passkey \(rename or remove\)\s+Passkey \(synced\)\s+2\. Software-based/)
  })

  test('signs in with a recovery code once the authenticators are gone, and the code works once', async () => {
    await cdp.send('WebAuthn.disable')
    await cdp.send('WebAuthn.enable')
    await page.click('button:has-text("Sign out")')
    const signInWithCode = async (code: string) => {
      await page.goto(`${baseUrl}/sign-in`)
      await page.fill('#email', email)
      await page.fill('#password', password)
      await page.click('button:has-text("Continue")')
      await page.waitForURL(/\/sign-in\/verify$/)
      await page.click('text=Use a recovery code')
      await page.fill('#code', code)
      await page.click('button:has-text("Continue")')
    }
    await signInWithCode(recoveryCodes[0] ?? '')
    await page.waitForURL(/\/account$/)
    assert.match((await page.locator('text=recovery codes left').textContent()) ?? '', /9 recovery codes left/)
    await page.click('button:has-text("Sign out")')
    await signInWithCode(recoveryCodes[0] ?? '')
    assert.match(
      (await page.locator('.govuk-error-summary').textContent()) ?? '',
      /The recovery code is not correct or has already been used/,
    )
    await check(page, 'recovery-code-refused')
  })

  test('warns before the idle timeout and lets the person stay signed in', async () => {
    // The last test ended on a refused recovery code: finish signing in with an unused one.
    await page.fill('#code', recoveryCodes[1] ?? '')
    await page.click('button:has-text("Continue")')
    await page.waitForURL(/\/account$/)
    await page.clock.install()
    await page.goto(`${baseUrl}/account`)
    assert.equal(await page.locator('#idle-warning').isVisible(), false)
    // Privileged sessions end after 5 idle minutes; the warning comes a minute before.
    await page.clock.fastForward('04:01')
    await page.locator('#idle-warning').waitFor({ state: 'visible' })
    await check(page, 'idle-warning')
    await page.click('#idle-warning button')
    await page.locator('#idle-warning').waitFor({ state: 'hidden' })
    await page.clock.fastForward('04:01')
    await page.locator('#idle-warning').waitFor({ state: 'visible' })
  })

  test('invites a supplier user, who joins with an authenticator app and signs in', async () => {
    await page.goto(`${baseUrl}/admin/organisations`)
    await page.fill('#name', 'Northwind Hosting Ltd')
    await page.click('button:has-text("Add organisation")')
    await page.goto(`${baseUrl}/admin/people/invite`)
    await page.fill('#email', 'sam@northwind.example')
    await page.fill('#displayName', 'Sam Supplier')
    await page.selectOption('#organisationId', { label: 'Northwind Hosting Ltd' })
    await page.check('input[value="supplier-admin"]')
    await check(page, 'invite')
    await page.click('button:has-text("Send invitation")')
    await page.waitForURL(/\/admin\/people\?invited=/)
    await check(page, 'people')
    const mail = smtp.messages.find(m => m.to.includes('sam@northwind.example'))
    const link = /(http:\/\/localhost:\d+\/invitation\/[A-Za-z0-9_-]+)/.exec(
      (mail?.raw ?? '').replace(/=\r?\n/g, ''),
    )?.[1]
    assert.ok(link, 'the invitation arrives by email')

    const supplierPage = await (await browser!.newContext()).newPage()
    supplierPage.on('console', message => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    await supplierPage.goto(link)
    await check(supplierPage, 'invitation')
    await supplierPage.fill('#password', 'amber falcon treaty')
    await supplierPage.fill('#confirmPassword', 'amber falcon treaty')
    await supplierPage.click('button:has-text("Continue")')
    await supplierPage.waitForURL(/\/account\/second-factor$/)
    await supplierPage.click('text=Use an authenticator app instead')
    const secret = (await supplierPage.locator('#totp-secret').textContent()) ?? ''
    await check(supplierPage, 'enrol-app')
    const totp = new TOTP({ secret: Secret.fromBase32(secret), period: 30, digits: 6 })
    await supplierPage.fill('#code', totp.generate())
    await supplierPage.click('button:has-text("Continue")')
    await supplierPage.waitForURL(/\/account\/recovery-codes$/)
    await supplierPage.click('text=Continue to your account')
    await supplierPage.click('button:has-text("Sign out")')
    await supplierPage.goto(`${baseUrl}/sign-in`)
    await supplierPage.fill('#email', 'sam@northwind.example')
    await supplierPage.fill('#password', 'amber falcon treaty')
    await supplierPage.click('button:has-text("Continue")')
    await supplierPage.waitForURL(/\/sign-in\/verify$/)
    // The next time step: the enrolment code has been used and would be refused.
    await supplierPage.fill('#code', totp.generate({ timestamp: Date.now() + 30_000 }))
    await supplierPage.click('button:has-text("Continue")')
    await supplierPage.waitForURL(/\/account$/)
    assert.match(
      (await supplierPage.locator('#factors').textContent()) ?? '',
      /Authenticator app\s+3\. Time-based One Time Password \(TOTP\)-based/,
    )
    await check(supplierPage, 'supplier-account')
  })

  test('logged no JavaScript errors', () => {
    assert.deepEqual(consoleErrors, [])
  })
})
