// Warns before the server ends an idle session (GOV.UK timeout warning pattern). Without JavaScript the session
// simply ends after the idle timeout; with it, people can choose to stay signed in.
const box = document.getElementById('idle-warning')

if (box !== null) {
  const idleSeconds = Number(box.dataset.idleSeconds)
  const warnBefore = Math.min(60, Math.floor(idleSeconds / 2))
  let warnTimer
  let endTimer

  const schedule = () => {
    clearTimeout(warnTimer)
    clearTimeout(endTimer)
    box.hidden = true
    warnTimer = setTimeout(
      () => {
        box.hidden = false
        box.querySelector('button')?.focus()
      },
      (idleSeconds - warnBefore) * 1000,
    )
    endTimer = setTimeout(() => window.location.assign(box.dataset.signedOut), idleSeconds * 1000)
  }

  box.querySelector('button')?.addEventListener('click', async () => {
    const response = await fetch(box.dataset.keepAlive, {
      method: 'POST',
      headers: { 'x-csrf-token': box.dataset.csrf, accept: 'application/json' },
      credentials: 'same-origin',
    })
    if (response.ok) schedule()
    else window.location.assign(box.dataset.signedOut)
  })
  schedule()
}
