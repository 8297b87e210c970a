import { api, describeError } from '../api.ts';
import { bootPage, loadCurrentUser } from '../boot.ts';
import { byTestId, el, showMessage } from '../dom.ts';
import { logger } from '../logger.ts';

interface Item {
  id: number;
  title: string;
  body: string;
  createdAt: string;
}

bootPage('items');

const form = byTestId<HTMLFormElement>('item-form');
const title = byTestId<HTMLInputElement>('item-title-input');
const body = byTestId<HTMLTextAreaElement>('item-body-input');
const submit = byTestId<HTMLButtonElement>('item-create-submit');
const list = byTestId<HTMLUListElement>('items-list');
const empty = byTestId('items-empty');
const count = byTestId('items-count');
const error = byTestId('items-error');

function row(item: Item): HTMLLIElement {
  const remove = el(
    'button',
    { type: 'button', class: 'button-quiet', 'data-testid': 'item-delete' },
    'Delete',
  );
  remove.addEventListener('click', () => void deleteItem(item, remove));
  const time = el('time', { datetime: item.createdAt }, new Date(item.createdAt).toLocaleString());
  return el(
    'li',
    { class: 'item', 'data-testid': 'item-row', 'data-item-id': String(item.id) },
    el(
      'div',
      { class: 'item-text' },
      el('strong', { 'data-testid': 'item-title' }, item.title),
      el('p', { 'data-testid': 'item-body' }, item.body),
      el('small', {}, time),
    ),
    remove,
  );
}

function render(items: Item[]): void {
  list.replaceChildren(...items.map(row));
  empty.hidden = items.length > 0;
  count.textContent = items.length === 1 ? '1 item' : `${items.length} items`;
  list.dataset.loaded = 'true';
}

async function refresh(): Promise<void> {
  try {
    const { items } = await api<{ items: Item[] }>('GET', '/api/items');
    render(items);
  } catch (err) {
    showMessage(error, describeError(err));
  }
}

async function deleteItem(item: Item, button: HTMLButtonElement): Promise<void> {
  logger.info({ event: 'ui_interaction', action: 'item_delete', item_id: item.id }, 'delete item clicked');
  showMessage(error, '');
  button.disabled = true;
  try {
    await api('DELETE', `/api/items/${item.id}`);
    await refresh();
  } catch (err) {
    button.disabled = false;
    showMessage(error, describeError(err));
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  logger.info({ event: 'ui_interaction', action: 'item_create' }, 'create item submitted');
  showMessage(error, '');
  submit.disabled = true;
  try {
    await api('POST', '/api/items', { title: title.value, body: body.value });
    form.reset();
    await refresh();
    title.focus();
  } catch (err) {
    showMessage(error, describeError(err));
  } finally {
    submit.disabled = false;
  }
});

void loadCurrentUser().then((me) => {
  if (me) void refresh();
});
