import { Document } from 'yaml';

/**
 * Grafana's data source and dashboard provisioning (file format `apiVersion: 1`). The uids are the
 * references dashboards and alert rules use, so they are fixed here, once.
 */

export const PROMETHEUS_DATASOURCE = { type: 'prometheus', uid: 'prometheus' } as const;
export const ELASTICSEARCH_DATASOURCE = { type: 'elasticsearch', uid: 'app-logs' } as const;
/** The index pattern and time field of the app's logs, as Logstash writes them and Kibana's data view reads them. */
export const APP_LOGS_INDEX_PATTERN = 'app-logs-*';
export const APP_LOGS_TIME_FIELD = 'time';
/** Folder of the provisioned dashboards and alert rules. */
export const GRAFANA_FOLDER = { uid: 'firedrill', title: 'firedrill' } as const;
/** Where docker-compose.yml mounts config/grafana/dashboards inside the Grafana container. */
export const DASHBOARDS_MOUNT = '/etc/grafana/dashboards';

const HEADER = ' Generated from config/grafana/provisioning.ts by config/build/build.ts. Do not edit.';

function render(body: Record<string, unknown>): string {
  const doc = new Document({ apiVersion: 1, ...body }, { aliasDuplicateObjects: false });
  doc.commentBefore = HEADER;
  return doc.toString({ lineWidth: 0 });
}

export function renderGrafanaDatasources(urls: { prometheus: string; elasticsearch: string }): string {
  return render({
    datasources: [
      {
        name: 'Prometheus',
        ...PROMETHEUS_DATASOURCE,
        access: 'proxy',
        url: urls.prometheus,
        isDefault: true,
        editable: false,
        jsonData: {
          httpMethod: 'POST',
          prometheusType: 'Prometheus',
          // The default profile's scrape interval: `$__rate_interval` is at least four of these,
          // which the fast profile's 1 s scrapes also satisfy.
          timeInterval: '15s',
        },
      },
      {
        name: 'App logs',
        ...ELASTICSEARCH_DATASOURCE,
        access: 'proxy',
        url: urls.elasticsearch,
        isDefault: false,
        editable: false,
        jsonData: {
          index: APP_LOGS_INDEX_PATTERN,
          timeField: APP_LOGS_TIME_FIELD,
          logMessageField: 'msg',
          logLevelField: 'level',
          maxConcurrentShardRequests: 5,
        },
      },
    ],
  });
}

export function renderGrafanaDashboardProviders(): string {
  return render({
    providers: [
      {
        name: 'firedrill',
        orgId: 1,
        type: 'file',
        folder: GRAFANA_FOLDER.title,
        folderUid: GRAFANA_FOLDER.uid,
        // The JSON is generated from config/dashboards/; an edit in the UI would be lost on the
        // next build, so the UI may not save one.
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 30,
        options: { path: DASHBOARDS_MOUNT, foldersFromFilesStructure: false },
      },
    ],
  });
}
