/** One message. Plain text only: nothing to render, nothing to inject. */
export interface Mail {
  /** One address, or several separated by commas (SMTP sends one message to all; Notify one message to each). */
  readonly to: string
  readonly subject: string
  readonly text: string
}

/** Sends mail; the identity and workflow code depends on this interface, not on SMTP or Notify. */
export interface Mailer {
  /** Resolves once every recipient's message is accepted; rejects if any is refused, so the caller can retry. */
  send(mail: Mail): Promise<void>
  close(): void
}

/** The addresses in a Mail's `to`, in order (Assure's addresses are validated, so none holds a comma). */
export function mailRecipients(to: string): string[] {
  return to
    .split(',')
    .map(address => address.trim())
    .filter(address => address !== '')
}
