/** What the server tells the page about itself, from the `#demo-config` JSON script tag. */
export interface FrontendConfig {
  service: string;
  environment: string;
  faroUrl: string | null;
}

const FALLBACK: FrontendConfig = { service: 'demo-app', environment: 'local', faroUrl: null };

export function readConfig(doc: Document = document): FrontendConfig {
  const text = doc.getElementById('demo-config')?.textContent;
  if (!text) return FALLBACK;
  try {
    return { ...FALLBACK, ...(JSON.parse(text) as Partial<FrontendConfig>) };
  } catch {
    return FALLBACK;
  }
}
