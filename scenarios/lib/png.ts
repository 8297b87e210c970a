import encoding from 'k6/encoding';

/**
 * A 32×24 PNG (126 bytes, rendered by sharp). Embedded rather than read with `open()`, so the
 * scenario stays one self-contained file when bundled into a k6-operator ConfigMap.
 */
const SMALL_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAACAAAAAYCAIAAAAUMWhjAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAMElEQVRIiWM4EaBBU8QwakHAaBBpjKaiE6MZTWO0qDgxWpoGjFY4J0arzIDB3aoAAOj5wC4wSIH8AAAAAElFTkSuQmCC';

export const SMALL_PNG: ArrayBuffer = encoding.b64decode(SMALL_PNG_BASE64, 'std');
