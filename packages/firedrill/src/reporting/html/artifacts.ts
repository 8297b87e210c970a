import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Artifact, Result } from '../../core/result.ts';
import { artifactFile, relativeHref } from '../files.ts';
import { type Html, html } from './escape.ts';

export interface ArtifactView {
  artifact: Artifact;
  /** Relative link from the report to the file, for "open" and for artifacts too big to inline. */
  href: string;
  /** `data:` URI when the image was inlined. */
  dataUri?: string;
  bytes?: number;
  missing?: boolean;
}

export interface ArtifactLoadOptions {
  outDir: string;
  htmlPath: string;
  /**
   * Largest image inlined as a data URI; bigger ones are linked. A full-page screenshot is
   * 100–800 KB; 2 MB keeps a report with a dozen failures openable in a mail client.
   * @defaultValue 2_000_000
   */
  inlineLimitBytes?: number;
}

// Raster only: an SVG "screenshot" inlined as an image is harmless, but the allow-list is simpler to trust.
const IMAGE_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
};

function imageType(a: Artifact): string | undefined {
  if (a.contentType && Object.values(IMAGE_TYPES).includes(a.contentType)) return a.contentType;
  return IMAGE_TYPES[extname(a.path).toLowerCase()];
}

/** Reads every artifact once, before rendering, so the renderer itself stays synchronous and pure. */
export async function loadArtifacts(
  results: readonly Result[],
  opts: ArtifactLoadOptions,
): Promise<Map<Artifact, ArtifactView>> {
  const limit = opts.inlineLimitBytes ?? 2_000_000;
  const views = new Map<Artifact, ArtifactView>();
  await Promise.all(
    results.flatMap((r) =>
      r.artifacts.map(async (artifact) => {
        const file = artifactFile(artifact, opts.outDir);
        const view: ArtifactView = { artifact, href: relativeHref(opts.htmlPath, file) };
        views.set(artifact, view);
        try {
          const st = await stat(file);
          view.bytes = st.size;
          const type = imageType(artifact);
          if (type && st.isFile() && st.size <= limit) {
            view.dataUri = `data:${type};base64,${(await readFile(file)).toString('base64')}`;
          }
        } catch {
          view.missing = true;
        }
      }),
    ),
  );
  return views;
}

function size(bytes: number | undefined): string {
  if (bytes === undefined) return '';
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 ** 2
      ? `${(bytes / 1024).toFixed(0)} KB`
      : `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/** Screenshots inline, large enough to read the error on the page; everything else as a list of links. */
export function artifactsSection(r: Result, views: ReadonlyMap<Artifact, ArtifactView>): Html {
  const all = r.artifacts.map((a) => views.get(a)).filter((v): v is ArtifactView => v !== undefined);
  const shots = all.filter((v) => v.dataUri);
  const others = all.filter((v) => !v.dataUri);
  const figures = shots.map(
    (
      v,
    ) => html`<figure class="shot"><img src="${v.dataUri}" alt="${v.artifact.description ?? v.artifact.path}" loading="lazy">
      <figcaption>${v.artifact.description ?? v.artifact.kind} <a href="${v.href}">${v.artifact.path}</a></figcaption></figure>`,
  );
  const links = others.map(
    (v) => html`<li><span class="tag">${v.artifact.kind}</span> <a href="${v.href}">${v.artifact.path}</a>
      <span class="muted">${v.artifact.description ?? ''} ${v.missing ? '(file not found)' : size(v.bytes)}</span></li>`,
  );
  return html`${shots.length ? html`<div class="shots">${figures}</div>` : ''}${
    others.length ? html`<ul class="artifacts">${links}</ul>` : ''
  }`;
}
