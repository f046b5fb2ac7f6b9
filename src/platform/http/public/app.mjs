// eslint-disable-next-line import/no-unresolved -- served beside this file from govuk-frontend's dist folder
import { initAll } from './govuk-frontend.min.js'

initAll()
