import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { loadConfig, describeConfigProblems, ENVIRONMENT_VARIABLES } from './config.ts'
import { AssureError } from './platform/errors.ts'

function problemsFor(env: Record<string, string>): string[] {
  let problems: string[] = []
  assert.throws(
    () => loadConfig(env),
    (error: unknown) => {
      assert.ok(error instanceof AssureError)
      assert.equal(error.code, 'CONFIG_INVALID')
      problems = describeConfigProblems(error)
      return true
    },
  )
  return problems
}

describe('configuration', () => {
  it('starts on 127.0.0.1:3000 with SQLite in ./data by default', () => {
    const config = loadConfig({})
    assert.equal(config.host, '127.0.0.1')
    assert.equal(config.port, 3000)
    assert.deepEqual(config.database, { engine: 'sqlite', file: path.resolve('data', 'assure.sqlite') })
    // WebAuthn does not accept IP addresses, so the loopback default is offered as localhost.
    assert.equal(config.publicUrl, 'http://localhost:3000')
    assert.equal(config.secureCookies, false)
  })

  it('uses PostgreSQL when DATABASE_URL is a postgres URL', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@localhost:5432/assure' })
    assert.deepEqual(config.database, { engine: 'postgres', url: 'postgres://u@localhost:5432/assure' })
  })

  it('lists every problem at once, naming each variable and what is allowed', () => {
    const problems = problemsFor({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://x',
      ASSURE_TRUST_PROXY: 'yes',
    })
    assert.deepEqual(problems.sort(), [
      'ASSURE_TRUST_PROXY: must be true or false',
      'DATABASE_URL: must be a postgres:// or postgresql:// URL',
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
      'PORT: must be a whole number from 0 to 65535 (0 picks a free port)',
    ])
  })

  it('refuses production without an https public URL rather than guessing one', () => {
    assert.deepEqual(problemsFor({ NODE_ENV: 'production' }), [
      'ASSURE_PUBLIC_URL: is required in production',
      'ASSURE_SMTP_URL: is required in production',
    ])
    assert.deepEqual(
      problemsFor({
        NODE_ENV: 'production',
        ASSURE_PUBLIC_URL: 'http://assure.example',
        ASSURE_SMTP_URL: 'smtp://mail:25',
      }),
      ['ASSURE_PUBLIC_URL: must be an https:// URL in production'],
    )
    const config = loadConfig({
      NODE_ENV: 'production',
      ASSURE_PUBLIC_URL: 'https://assure.example/',
      ASSURE_SMTP_URL: 'smtp://mail:25',
    })
    assert.equal(config.secureCookies, true)
    assert.equal(config.publicUrl, 'https://assure.example')
  })

  it('documents every variable it reads', () => {
    const names = ENVIRONMENT_VARIABLES.map(v => v.name)
    assert.deepEqual(names, [...new Set(names)])
    for (const variable of ENVIRONMENT_VARIABLES) assert.ok(variable.meaning.length > 10, variable.name)
  })
})

describe('the README', () => {
  it('documents every environment variable with its default', async () => {
    const { readFileSync } = await import('node:fs')
    const readme = readFileSync(path.resolve('README.md'), 'utf8')
    for (const variable of ENVIRONMENT_VARIABLES) assert.ok(readme.includes(`| \`${variable.name}\` |`), variable.name)
  })
})
