// Security keys and passkeys: the only part of Assure that needs JavaScript. Buttons carry where to fetch options
// and where to send the result; the server does all checking.
const { startRegistration, startAuthentication } = window.SimpleWebAuthnBrowser

async function post(url, csrf, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
    body: JSON.stringify(body ?? {}),
    credentials: 'same-origin',
  })
  const data = await response.json().catch(() => ({}))
  if (!response.ok) throw new Error(data.error ?? data.detail ?? 'Something went wrong. Try again.')
  return data
}

function showError(message) {
  const box = document.getElementById('webauthn-error')
  if (box === null) return
  box.textContent = message
  box.hidden = false
}

for (const button of document.querySelectorAll('[data-webauthn]')) {
  button.addEventListener('click', async event => {
    event.preventDefault()
    const { webauthn, options, finish, csrf, nameField } = button.dataset
    try {
      const optionsJSON = await post(options, csrf)
      const response =
        webauthn === 'register' ? await startRegistration({ optionsJSON }) : await startAuthentication({ optionsJSON })
      const name = nameField === undefined ? undefined : document.getElementById(nameField)?.value
      const result = await post(finish, csrf, { response, ...(name ? { name } : {}) })
      window.location.assign(result.redirect)
    } catch (error) {
      showError(error.message)
    }
  })
}
