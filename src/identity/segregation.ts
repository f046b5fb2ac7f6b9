import { AssureError } from '../platform/errors.ts'

/**
 * Segregation of duties for every workflow: the person who made a submission (or a request) may never approve it.
 * Guidance, Access Control: "requiring that a user can perform only one of the following roles".
 */
export function assertNotSelfApproval(props: { submittedBy: string; approverId: string; what: string }): void {
  if (props.submittedBy === props.approverId) {
    throw new AssureError(
      'FORBIDDEN',
      `You cannot approve ${props.what} you made yourself; another person must approve it`,
    )
  }
}
