import { ApiError, api } from './api.ts';
import { readConfig } from './config.ts';
import { byTestId } from './dom.ts';
import { startFaro } from './faro.ts';
import { flushLogs, installGlobalHandlers, logger } from './logger.ts';

export interface Me {
  id: number;
  username: string;
}

/** What every page does first: error handlers, Faro if configured, a page-view line. */
export function bootPage(page: string): void {
  installGlobalHandlers();
  void startFaro(readConfig());
  logger.info({ event: 'page_view', referrer: document.referrer || undefined }, `page view ${page}`);
}

/** For signed-in pages: shows the user in the header and wires logout; sends to login on 401. */
export async function loadCurrentUser(): Promise<Me | undefined> {
  const logout = byTestId<HTMLButtonElement>('logout-button');
  logout.addEventListener('click', async () => {
    logger.info({ event: 'ui_interaction', action: 'logout' }, 'logout clicked');
    try {
      await api('POST', '/api/logout');
    } finally {
      await flushLogs();
      location.assign('/login');
    }
  });
  try {
    const me = await api<Me>('GET', '/api/me');
    byTestId('current-user').textContent = me.username;
    return me;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
      return undefined;
    }
    throw err;
  }
}
