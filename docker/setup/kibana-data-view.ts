/**
 * One-shot setup of the compose stack: Kibana's data view for the app's logs, so Discover opens
 * on `app-logs-*` sorted by the entries' own `time`. Idempotent (`override`), so a rerun of
 * `docker compose up` is harmless.
 *
 * Env: KIBANA_URL (http://kibana:5601).
 */
import { pathToFileURL } from 'node:url';
import { APP_LOGS_INDEX_PATTERN, APP_LOGS_TIME_FIELD } from '../../config/grafana/provisioning.ts';
import { requestJson, retry } from './http.ts';

export const DATA_VIEW_ID = 'app-logs';

/** Creates (or replaces) the data view and makes it Kibana's default. */
export async function createAppLogsDataView(kibanaUrl: string): Promise<void> {
  // Kibana refuses state-changing API calls without this header (its CSRF guard).
  const headers = { 'kbn-xsrf': 'firedrill' };
  const created = await requestJson(`${kibanaUrl}/api/data_views/data_view`, {
    method: 'POST',
    headers,
    body: {
      override: true,
      data_view: {
        id: DATA_VIEW_ID,
        name: 'App logs',
        title: APP_LOGS_INDEX_PATTERN,
        timeFieldName: APP_LOGS_TIME_FIELD,
        // Logstash has indexed nothing yet when the stack first starts.
        allowNoIndex: true,
      },
    },
  });
  if (created.status !== 200) {
    throw new Error(
      `Kibana: creating the data view answered ${created.status}: ${created.text.slice(0, 300)}`,
    );
  }
  const preferred = await requestJson(`${kibanaUrl}/api/data_views/default`, {
    method: 'POST',
    headers,
    body: { data_view_id: DATA_VIEW_ID, force: true },
  });
  if (preferred.status !== 200) {
    throw new Error(
      `Kibana: making the data view the default answered ${preferred.status}: ${preferred.text.slice(0, 300)}`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const kibanaUrl = process.env.KIBANA_URL ?? 'http://kibana:5601';
  retry(() => createAppLogsDataView(kibanaUrl), 120_000).then(
    () =>
      console.log(
        `data view ${DATA_VIEW_ID} (${APP_LOGS_INDEX_PATTERN}, time field ${APP_LOGS_TIME_FIELD}) ready`,
      ),
    (error: Error) => {
      console.error(error.message);
      process.exitCode = 1;
    },
  );
}
