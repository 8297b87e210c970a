import { type BrowserProbeContext, defineProbe, ProbeAssertionError, quoteText } from 'firedrill';

type SignInContext = Pick<BrowserProbeContext, 'page' | 'step' | 'env'>;

/** The demo app's sign-in, as steps; the image-processing probe signs in the same way. */
export async function signIn({ page, step, env }: SignInContext): Promise<string> {
  if (!env.credentials) {
    throw new Error(`environment "${env.name}" has no credentials; set environments.${env.name}.credentials`);
  }
  const { username, password } = env.credentials;
  await step('open login page', async () => {
    await page.goto(new URL('/login', env.baseUrl).href);
    await page.getByTestId('login-form').waitFor();
  });
  await step('fill credentials', async () => {
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(password);
  });
  await step('submit login', async () => {
    await page.getByTestId('login-submit').click();
    // Whichever comes first: the signed-in header, or the login form's error. Waiting for the
    // header alone would turn a rejected login into a bare timeout.
    const signedIn = page.getByTestId('current-user').filter({ hasText: /\S/ });
    const rejected = page.getByTestId('login-error');
    await signedIn.or(rejected).filter({ visible: true }).first().waitFor();
    if (await rejected.isVisible()) {
      throw new ProbeAssertionError(`login rejected: ${quoteText(await rejected.textContent())}`);
    }
  });
  await step('signed-in page shows user', async () => {
    const shown = await page.getByTestId('current-user').textContent();
    if (shown?.trim() !== username) {
      throw new ProbeAssertionError(
        `expected signed-in user ${quoteText(username)}, page shows ${quoteText(shown)}`,
      );
    }
  });
  return username;
}

export default defineProbe({
  id: 'login',
  name: 'Sign in and out',
  kind: 'browser',
  schedule: '*/5 * * * *',
  timeoutMs: 30_000,
  retries: 1,
  tags: ['browser', 'auth'],
  async run(ctx) {
    const { page, step } = ctx;
    await signIn(ctx);
    await step('log out', async () => {
      await page.getByTestId('logout-button').click();
      await page.waitForURL((url) => url.pathname === '/login');
      await page.getByTestId('login-form').waitFor();
    });
  },
});
