import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import type { Browser, CDPSession, Page } from 'playwright-core'
import { startApp } from './helpers/app.ts'
import { expectAccessible, launchBrowser, signedInPage, verifyOnPage } from './helpers/browser.ts'
import { sqliteStore, type TestStore } from './helpers/stores.ts'
import { buildSupplierProfile, buildContract } from './helpers/suppliers.ts'
import { buildPerson, sessionCookieFor } from './helpers/people.ts'
import type { Services } from '../src/services.ts'
import { SIGNATORY_ONLY } from '../src/letters/letters.ts'
import { STEP_UP_WINDOW } from '../src/identity/step-up.ts'
import { addDuration } from '../src/platform/duration.ts'

/** Where the screenshot of the signed letter goes, for a person to look at. */
const SIGNED_SCREENSHOT = '/tmp/sal-journey-signed-letter.png'

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

/** A virtual CTAP2 security key on USB that verifies its user, as a YubiKey with a PIN does. */
async function plugInSecurityKey(cdp: CDPSession): Promise<string> {
  const { authenticatorId } = (await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'usb',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  } as never)) as { authenticatorId: string }
  return authenticatorId
}

/** How many assertions the virtual key has signed, from its credentials' sign counts. */
async function signCount(cdp: CDPSession, authenticatorId: string): Promise<number> {
  const { credentials } = (await cdp.send('WebAuthn.getCredentials', { authenticatorId } as never)) as {
    credentials: Array<{ signCount: number }>
  }
  return credentials.reduce((sum, c) => sum + c.signCount, 0)
}

/** The text of a letter's stage row's status tag. */
const stageTag = (page: Page, key: string) => page.locator(`tr[data-stage="${key}"] .govuk-tag`).innerText()

// Guidance, Security Aspects Letters: the supplier acknowledges receipt and accepts the letter's terms, and signs
// the declaration that its requirements have been brought to the attention of those responsible. Signing is a
// sensitive action, so it takes a fresh second factor (v5.0.0-6.8.4 step-up; MFA Guide: hardware keys first).
describe('a Security Aspects Letter from issue to signed declaration, with a security key, in Chromium', async () => {
  const browser: Browser | undefined = await launchBrowser()
  let store: TestStore
  let services: Services
  let close: () => Promise<void>
  let baseUrl = ''
  let signatoryPage: Page
  let cdp: CDPSession
  let keyId = ''
  let letterUrl = ''
  let supplierId = ''
  let adminId = ''
  let supplierAdminId = ''
  const consoleErrors: string[] = []
  const signatory = { email: 'dana.reyes@contoso.example', password: 'copper meadow lantern', name: 'Dana Reyes' }
  // The server's clock: real time, moved on past the step-up window before signing. The browser keeps real time.
  let skewMs = 0
  const now = () => new Date(Date.now() + skewMs)

  before(async () => {
    if (browser === undefined) return
    store = sqliteStore()
    const port = await freePort()
    baseUrl = `http://localhost:${port}`
    const started = await startApp(store, { env: { PORT: String(port), ASSURE_PUBLIC_URL: baseUrl }, now })
    services = started.services
    close = started.close
    await started.app.listen({ host: '127.0.0.1', port })
    const { db } = services.store
    const authority = { kind: 'authority' as const, name: 'Ministry of Justice' }
    const contoso = { kind: 'supplier' as const, name: 'Contoso Ltd' }
    adminId = (await buildPerson(db, { roles: ['authority-admin'], organisation: authority })).id
    const built = await buildPerson(db, {
      email: signatory.email,
      password: signatory.password,
      roles: ['supplier-signatory'],
      organisation: contoso,
    })
    supplierId = built.organisationId
    // The signatory has no second factor yet: they enrol a security key through the enrolment pages.
    await db.updateTable('users').set({ display_name: signatory.name }).where('id', '=', built.id).execute()
    await db.deleteFrom('mfa_factors').where('user_id', '=', built.id).execute()
    supplierAdminId = (await buildPerson(db, { roles: ['supplier-admin'], organisation: contoso })).id
    await buildSupplierProfile(db, supplierId, {
      security_director_name: signatory.name,
      security_director_email: signatory.email,
    })
    await buildContract(db, supplierId, { subcontractors: '["Northwind Hosting"]' })
    const context = await browser.newContext()
    signatoryPage = await context.newPage()
    // Every script error counts; the only failed loads allowed are the two forms refused on purpose (400).
    signatoryPage.on('pageerror', error => consoleErrors.push(error.message))
    signatoryPage.on('console', message => {
      const refusedForm =
        /status of 400/.test(message.text()) && /\/(acknowledge|confirm)$/.test(message.location().url)
      if (message.type() === 'error' && !refusedForm) consoleErrors.push(`${message.text()} ${message.location().url}`)
    })
    cdp = await context.newCDPSession(signatoryPage)
    await cdp.send('WebAuthn.enable')
  })
  after(async () => {
    await browser?.close()
    if (close !== undefined) await close()
    await store?.dispose()
  })

  const test = browser === undefined ? it.skip : it

  /** A page signed in (by session fixture) as someone, at the server's current time. */
  const pageFor = async (userId: string) =>
    signedInPage(browser!, baseUrl, await sessionCookieFor(services.store.db, userId, now()))

  test('the Authority issues the letter through the form', async () => {
    const page = await pageFor(adminId)
    await page.goto(`${baseUrl}/suppliers/${supplierId}/letters/new`)
    await verifyOnPage(page, 'Issue a Security Aspects Letter')
    await expectAccessible(page, 'sal-journey-issue-form')
    await page.getByLabel('MOJ/2026-014: Case management hosting').check()
    await page.getByRole('button', { name: 'Issue letter' }).click()
    await verifyOnPage(page, 'Security Aspects Letter: MOJ/2026-014, version 1')
    assert.match(
      (await page.locator('.govuk-notification-banner--success').textContent()) ?? '',
      /Security Aspects Letter issued/,
    )
    for (const key of ['acknowledge-receipt', 'confirm-personnel-briefed', 'copy-subcontractor-sals'])
      assert.notEqual(await stageTag(page, key), 'Done', key)
    letterUrl = new URL(page.url()).pathname
    await expectAccessible(page, 'sal-journey-issued')
    await page.context().close()
  })

  test('the signatory enrols a security key, then signs in with password and the key', async () => {
    await signatoryPage.goto(`${baseUrl}/sign-in`)
    await expectAccessible(signatoryPage, 'sal-journey-sign-in')
    await signatoryPage.fill('#email', signatory.email)
    await signatoryPage.fill('#password', signatory.password)
    await signatoryPage.click('button:has-text("Continue")')
    await signatoryPage.waitForURL(/\/account\/second-factor$/)
    await expectAccessible(signatoryPage, 'sal-journey-enrol')
    keyId = await plugInSecurityKey(cdp)
    await signatoryPage.fill('#keyName', 'Dana’s YubiKey')
    await signatoryPage.click('#add-security-key')
    await signatoryPage.waitForURL(/\/account\/recovery-codes$/)
    await expectAccessible(signatoryPage, 'sal-journey-recovery-codes')
    await signatoryPage.click('text=Continue to your account')
    await signatoryPage.waitForURL(/\/account$/)
    assert.match((await signatoryPage.locator('#factors').textContent()) ?? '', /Dana’s YubiKey[\s\S]*Security key/)
    await expectAccessible(signatoryPage, 'sal-journey-enrolled-account')
    await signatoryPage.click('button:has-text("Sign out")')
    await signatoryPage.waitForSelector('h1:has-text("You have signed out")')
    await expectAccessible(signatoryPage, 'sal-journey-signed-out')

    await signatoryPage.goto(`${baseUrl}/sign-in`)
    await signatoryPage.fill('#email', signatory.email)
    await signatoryPage.fill('#password', signatory.password)
    await signatoryPage.click('button:has-text("Continue")')
    await signatoryPage.waitForURL(/\/sign-in\/verify$/)
    await expectAccessible(signatoryPage, 'sal-journey-verify')
    // Only a security key: no authenticator app to fall back on.
    assert.equal(await signatoryPage.locator('#code').count(), 0)
    const signed = await signCount(cdp, keyId)
    await signatoryPage.click('#use-security-key')
    await signatoryPage.waitForURL(/\/account$/)
    assert.equal(await signCount(cdp, keyId), signed + 1)
    await expectAccessible(signatoryPage, 'sal-journey-account')
  })

  test('the signatory acknowledges receipt of the letter, and is told when they have not ticked the box', async () => {
    await signatoryPage.goto(`${baseUrl}${letterUrl}`)
    await verifyOnPage(signatoryPage, 'Security Aspects Letter: MOJ/2026-014, version 1')
    await expectAccessible(signatoryPage, 'sal-journey-letter-to-acknowledge')
    await signatoryPage.getByRole('button', { name: 'Acknowledge receipt' }).click()
    await verifyOnPage(signatoryPage, 'Security Aspects Letter: MOJ/2026-014, version 1')
    assert.equal(
      await signatoryPage.locator('.govuk-error-summary a').first().textContent(),
      'Select that you have received the letter and accept its terms',
    )
    await expectAccessible(signatoryPage, 'sal-journey-acknowledge-error')
    await signatoryPage
      .getByLabel('We have received this letter and accept its terms as incorporated into our contract and binding')
      .check()
    await signatoryPage.getByRole('button', { name: 'Acknowledge receipt' }).click()
    await verifyOnPage(signatoryPage, 'Security Aspects Letter: MOJ/2026-014, version 1')
    assert.match(
      (await signatoryPage.locator('.govuk-notification-banner--success').textContent()) ?? '',
      /Receipt acknowledged/,
    )
    assert.equal(await stageTag(signatoryPage, 'acknowledge-receipt'), 'Done')
    assert.notEqual(await stageTag(signatoryPage, 'confirm-personnel-briefed'), 'Done')
    await expectAccessible(signatoryPage, 'sal-journey-acknowledged')
  })

  test('a supplier administrator, not the signatory, is refused the declaration', async () => {
    const page = await pageFor(supplierAdminId)
    await page.goto(`${baseUrl}${letterUrl}`)
    await verifyOnPage(page, 'Security Aspects Letter: MOJ/2026-014, version 1')
    assert.equal(await page.getByRole('link', { name: 'Sign the supplier declaration' }).count(), 0)
    await expectAccessible(page, 'sal-journey-supplier-admin-letter')
    const response = await page.goto(`${baseUrl}${letterUrl}/confirm`)
    assert.equal(response?.status(), 403)
    await verifyOnPage(page, 'You do not have permission to do that')
    assert.match((await page.locator('main').textContent()) ?? '', new RegExp(SIGNATORY_ONLY))
    await expectAccessible(page, 'sal-journey-supplier-admin-refused')
    await page.context().close()
  })

  test('the signatory signs the declaration after a fresh security-key check', async () => {
    // Time passes since sign-in: the second-factor check is older than the step-up window.
    skewMs = addDuration(new Date(0), STEP_UP_WINDOW).getTime() + 60_000
    await signatoryPage.goto(`${baseUrl}${letterUrl}`)
    await expectAccessible(signatoryPage, 'sal-journey-letter-to-sign')
    await signatoryPage.getByRole('link', { name: 'Sign the supplier declaration' }).click()
    await signatoryPage.waitForURL(/\/account\/confirm\?next=/)
    await verifyOnPage(signatoryPage, 'Confirm it is you before you continue')
    assert.equal(await signatoryPage.locator('#code').count(), 0)
    await expectAccessible(signatoryPage, 'sal-journey-step-up')
    const signed = await signCount(cdp, keyId)
    await signatoryPage.click('#use-security-key')
    await signatoryPage.waitForURL(url => url.pathname === `${letterUrl}/confirm`)
    assert.equal(await signCount(cdp, keyId), signed + 1, 'the key signed a fresh assertion')
    await verifyOnPage(signatoryPage, 'Sign the supplier declaration')
    await expectAccessible(signatoryPage, 'sal-journey-declaration')

    await signatoryPage.getByRole('button', { name: 'Sign declaration' }).click()
    await verifyOnPage(signatoryPage, 'Sign the supplier declaration')
    const errors = await signatoryPage.locator('.govuk-error-summary a').allTextContents()
    assert.deepEqual(errors, ['Enter your position', 'Select to sign the declaration'])
    await expectAccessible(signatoryPage, 'sal-journey-declaration-errors')

    await signatoryPage.getByLabel('Your position').fill('Security Director')
    await signatoryPage.getByLabel('I sign this declaration for and on behalf of Contoso').check()
    await signatoryPage.getByRole('button', { name: 'Sign declaration' }).click()
    await verifyOnPage(signatoryPage, 'Security Aspects Letter: MOJ/2026-014, version 1')
    assert.match(
      (await signatoryPage.locator('.govuk-notification-banner--success').textContent()) ?? '',
      /Declaration signed/,
    )
    assert.match(
      (await signatoryPage.locator('main').textContent()) ?? '',
      /Declaration signed by Dana Reyes \(Security Director\) on \w+ \d{1,2} \w+ \d{4} at \d{2}:\d{2}\./,
    )
    assert.equal(await stageTag(signatoryPage, 'confirm-personnel-briefed'), 'Done')
    assert.equal(await signatoryPage.getByRole('link', { name: 'Sign the supplier declaration' }).count(), 0)
    await expectAccessible(signatoryPage, 'sal-journey-signed')
    // The top of the page (banner, deadlines, the signed declaration), for a person to look at.
    await signatoryPage.screenshot({
      path: SIGNED_SCREENSHOT,
      fullPage: true,
      clip: { x: 0, y: 0, width: 1280, height: 1450 },
    })
  })

  test('the supplier’s list and to-do list show the letter’s stages done', async () => {
    await signatoryPage.goto(`${baseUrl}/suppliers/${supplierId}/letters`)
    await verifyOnPage(signatoryPage, 'Security Aspects Letters')
    const row = (await signatoryPage.locator('tbody tr').allInnerTexts()).join('\n')
    assert.match(row, /MOJ\/2026-014[\s\S]*1[\s\S]*Current/)
    await expectAccessible(signatoryPage, 'sal-journey-supplier-letters')
    await signatoryPage.goto(`${baseUrl}/dashboard`)
    await verifyOnPage(signatoryPage, 'Your to-do list')
    // Only the subcontractors' copies are left to do.
    const todo = await signatoryPage.locator('#to-do-stages tbody tr').allInnerTexts()
    assert.equal(todo.length, 1)
    assert.match(todo[0] ?? '', /subcontractor/i)
    await expectAccessible(signatoryPage, 'sal-journey-supplier-to-do')
  })

  test('the Authority sees the letter acknowledged and the declaration signed', async () => {
    const page = await pageFor(adminId)
    await page.goto(`${baseUrl}${letterUrl}`)
    await verifyOnPage(page, 'Security Aspects Letter: MOJ/2026-014, version 1')
    assert.equal(await stageTag(page, 'acknowledge-receipt'), 'Done')
    assert.equal(await stageTag(page, 'confirm-personnel-briefed'), 'Done')
    assert.notEqual(await stageTag(page, 'copy-subcontractor-sals'), 'Done')
    assert.match(
      (await page.locator('main').textContent()) ?? '',
      /Declaration signed by Dana Reyes \(Security Director\) on /,
    )
    // The Authority cannot respond for the supplier.
    assert.equal(await page.getByRole('button', { name: 'Acknowledge receipt' }).count(), 0)
    await expectAccessible(page, 'sal-journey-authority-letter')
    // The ledger has one entry per step, and the signing was preceded by the step-up.
    const ledger = await services.store.db
      .selectFrom('audit_entries')
      .select(['action', 'user_id'])
      .where(eb => eb.or([eb('action', 'like', 'letter.sal.%'), eb('action', '=', 'auth.step_up')]))
      .orderBy('sequence')
      .execute()
    assert.deepEqual(
      ledger.map(e => e.action),
      ['letter.sal.issued', 'letter.sal.acknowledged', 'auth.step_up', 'letter.sal.confirmed'],
    )
    await page.context().close()
  })

  test('logged no JavaScript errors', () => {
    assert.deepEqual(consoleErrors, [])
  })
})
