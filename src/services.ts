import type { Config } from './config.ts'
import type { Store } from './platform/db/database.ts'
import type { Catalogue } from './catalogue/catalogue.ts'
import type { CatalogueDeps } from './catalogue/operations.ts'

/** The wired dependencies shared by the web app, the CLI and (later) the worker. */
export interface Services {
  readonly config: Config
  readonly store: Store
  readonly catalogue: Catalogue
  readonly now: () => Date
  readonly catalogueDeps: CatalogueDeps
}

/** Wires the services from their parts; tests pass their own clock. */
export function createServices(deps: {
  config: Config
  store: Store
  catalogue: Catalogue
  now?: () => Date
}): Services {
  const now = deps.now ?? (() => new Date())
  return {
    config: deps.config,
    store: deps.store,
    catalogue: deps.catalogue,
    now,
    catalogueDeps: { db: deps.store.db, catalogue: deps.catalogue, now },
  }
}
