import { api, describeError } from '../api.ts';
import { bootPage, loadCurrentUser } from '../boot.ts';
import { byTestId, el, showMessage } from '../dom.ts';
import { logger } from '../logger.ts';

interface ImageView {
  id: string;
  status: 'queued' | 'processing' | 'done' | 'failed';
  durationMs?: number;
  error?: string;
  createdAt: string;
  outputs?: { thumbnail: string; grayscale: string };
}

const POLL_INTERVAL_MS = 250;
const POLL_TIMEOUT_MS = 120_000;

bootPage('images');

const form = byTestId<HTMLFormElement>('image-form');
const input = byTestId<HTMLInputElement>('image-file-input');
const submit = byTestId<HTMLButtonElement>('image-upload-submit');
const status = byTestId('image-status');
const duration = byTestId('image-duration');
const result = byTestId<HTMLImageElement>('image-result');
const grayscale = byTestId<HTMLImageElement>('image-result-grayscale');
const resultBox = byTestId('image-result-box');
const history = byTestId<HTMLUListElement>('image-history');
const error = byTestId('image-error');

function showStatus(view: Pick<ImageView, 'status'> | { status: 'uploading' }): void {
  status.textContent = view.status;
  status.dataset.status = view.status;
  status.hidden = false;
}

async function waitForResult(id: string): Promise<ImageView> {
  const deadline = Date.now() + POLL_TIMEOUT_MS;
  for (;;) {
    const view = await api<ImageView>('GET', `/api/images/${id}`);
    showStatus(view);
    if (view.status === 'done' || view.status === 'failed') return view;
    if (Date.now() > deadline)
      throw new Error(`image ${id} still ${view.status} after ${POLL_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

function renderHistory(images: ImageView[]): void {
  history.replaceChildren(
    ...images
      .filter((image) => image.outputs)
      .map((image) =>
        el(
          'li',
          { 'data-testid': 'image-history-row', 'data-image-id': image.id },
          el('img', { src: image.outputs!.thumbnail, alt: 'earlier upload', width: '64', height: '64' }),
        ),
      ),
  );
}

async function refreshHistory(): Promise<void> {
  const { images } = await api<{ images: ImageView[] }>('GET', '/api/images');
  renderHistory(images);
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const file = input.files?.[0];
  showMessage(error, '');
  if (!file) {
    showMessage(error, 'Choose an image first.');
    return;
  }
  logger.info(
    { event: 'ui_interaction', action: 'image_upload', file_type: file.type, file_bytes: file.size },
    'image upload submitted',
  );
  submit.disabled = true;
  resultBox.hidden = true;
  duration.textContent = '';
  showStatus({ status: 'uploading' });
  try {
    const data = new FormData();
    data.append('image', file);
    const { id } = await api<{ id: string }>('POST', '/api/images', data);
    const view = await waitForResult(id);
    if (view.status === 'failed' || !view.outputs) throw new Error(view.error ?? 'image processing failed');
    result.src = view.outputs.thumbnail;
    grayscale.src = view.outputs.grayscale;
    duration.textContent =
      view.durationMs === undefined ? '' : `processed in ${Math.round(view.durationMs)} ms`;
    resultBox.hidden = false;
    logger.info({ event: 'image_done', image_id: id, duration_ms: view.durationMs }, 'image processed');
    await refreshHistory();
  } catch (err) {
    showMessage(error, describeError(err));
  } finally {
    submit.disabled = false;
  }
});

void loadCurrentUser().then((me) => {
  if (me) void refreshHistory().catch((err: unknown) => showMessage(error, describeError(err)));
});
