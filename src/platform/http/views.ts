import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
// eslint-disable-next-line import/default -- nunjucks is CommonJS; Node gives its exports as the default
import nunjucks from 'nunjucks'
import { paths } from '../../paths.ts'
import { describeDuration } from '../duration.ts'

const require = createRequire(import.meta.url)
const here = path.dirname(fileURLToPath(import.meta.url))
const srcDir = path.resolve(here, '..', '..')

/** Folders of the front-end packages, resolved through Node so a hoisted or nested install both work. */
export const frontendDirs = {
  govuk: path.join(path.dirname(require.resolve('govuk-frontend/package.json')), 'dist'),
  moj: path.dirname(require.resolve('@ministryofjustice/frontend/package.json')),
  public: path.join(here, 'public'),
  webauthn: path.join(path.dirname(require.resolve('@simplewebauthn/browser')), '..', 'dist', 'bundle'),
}

/** Template folders: the shared layout first, then each feature's own views. */
export function viewFolders(): string[] {
  return [
    path.join(here, 'views'),
    path.join(srcDir, 'catalogue', 'views'),
    path.join(srcDir, 'identity', 'views'),
    path.join(srcDir, 'audit', 'views'),
    path.join(srcDir, 'suppliers', 'views'),
    path.join(srcDir, 'letters', 'views'),
    path.join(srcDir, 'assessments', 'views'),
    path.join(srcDir, 'incidents', 'views'),
    path.join(srcDir, 'destruction', 'views'),
    path.join(srcDir, 'obligations', 'views'),
    path.join(srcDir, 'personnel', 'views'),
    path.join(srcDir, 'dashboard', 'views'),
    path.join(srcDir, 'notifications', 'views'),
    path.join(srcDir, 'baseline', 'views'),
    frontendDirs.govuk,
    frontendDirs.moj,
  ]
}

/** The Nunjucks environment: autoescaping on, undefined values an error in tests so broken templates fail loudly. */
export function createViewEnvironment(options: { strictUndefined: boolean }): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(viewFolders(), { noCache: false }), {
    autoescape: true,
    throwOnUndefined: options.strictUndefined,
    trimBlocks: true,
    lstripBlocks: true,
  })
  // Nunjucks' own trim uses /^\s*|\s*$/g, which is quadratic on the long strings GOV.UK's template trims (the
  // whole header and footer); profiling put it at the top of the page's cost. String#trim gives the same result.
  env.addFilter('trim', (value: unknown) => {
    const trimmed = String(value ?? '').trim()
    return value instanceof nunjucks.runtime.SafeString ? new nunjucks.runtime.SafeString(trimmed) : trimmed
  })
  env.addGlobal('paths', paths)
  env.addGlobal('serviceName', 'Assure')
  env.addFilter(
    'plural',
    (count: number, singular: string, plural?: string) =>
      `${count} ${count === 1 ? singular : (plural ?? `${singular}s`)}`,
  )
  env.addFilter('duration', (value: string) => describeDuration(value))
  env.addFilter('formatDateTime', (value: string) => {
    const date = new Date(value)
    return Number.isNaN(date.getTime())
      ? value
      : date.toLocaleString('en-GB', {
          day: 'numeric',
          month: 'long',
          year: 'numeric',
          hour: '2-digit',
          minute: '2-digit',
          timeZone: 'Europe/London',
        })
  })
  env.addFilter('formatDate', (value: string) => {
    const date = new Date(value)
    return Number.isNaN(date.getTime())
      ? value
      : date.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
  })
  return env
}
