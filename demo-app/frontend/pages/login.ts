import { api, describeError } from '../api.ts';
import { bootPage } from '../boot.ts';
import { byTestId, showMessage } from '../dom.ts';
import { flushLogs, logger } from '../logger.ts';

bootPage('login');

const form = byTestId<HTMLFormElement>('login-form');
const username = byTestId<HTMLInputElement>('login-username');
const password = byTestId<HTMLInputElement>('login-password');
const submit = byTestId<HTMLButtonElement>('login-submit');
const error = byTestId('login-error');

/** Only same-origin paths: `?next=//evil.example` must not turn the login page into a redirector. */
function nextPath(): string {
  const next = new URLSearchParams(location.search).get('next');
  return next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/items';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  // The username is fine to log; the password never is.
  logger.info(
    { event: 'ui_interaction', action: 'login_submit', username: username.value },
    'login submitted',
  );
  showMessage(error, '');
  submit.disabled = true;
  try {
    await api('POST', '/api/login', { username: username.value, password: password.value });
    await flushLogs();
    location.assign(nextPath());
  } catch (err) {
    showMessage(error, describeError(err));
    password.select();
  } finally {
    submit.disabled = false;
  }
});

username.focus();
