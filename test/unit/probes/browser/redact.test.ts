import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactText, redactZip } from '../../../../packages/firedrill/src/probes/browser/redact.ts';

describe('redaction of kept artifacts', () => {
  it.each([
    ['raw', 'password is s3cr"et!', 'password is [REDACTED]'],
    ['JSON-escaped', '{"password":"s3cr\\"et!"}', '{"password":"[REDACTED]"}'],
    ['URL-encoded', 'password=s3cr%22et!&user=demo', 'password=[REDACTED]&user=demo'],
    ['repeated', 's3cr"et! and s3cr"et!', '[REDACTED] and [REDACTED]'],
    ['absent', 'nothing here', 'nothing here'],
  ])('%s', (_, input, expected) => {
    expect(redactText(input, ['s3cr"et!'])).toBe(expected);
  });

  it('empty secrets redact nothing', () => {
    expect(redactText('abc', ['', ''])).toBe('abc');
  });

  it('rewrites text entries of a trace zip and leaves images alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fd-redact-'));
    const path = join(dir, 'trace.zip');
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, ...strToU8('hunter2')]);
    await writeFile(
      path,
      zipSync({
        'trace.trace': strToU8(
          '{"method":"fill","params":{"value":"hunter2"}}\n{"__playwright_value_":"hunter2"}',
        ),
        'resources/a.json': strToU8('{"username":"demo","password":"hunter2"}'),
        'resources/b.png': png,
        'trace.network': strToU8('no secret here'),
      }),
    );
    expect(await redactZip(path, ['hunter2'])).toBe(3);
    const entries = unzipSync(await readFile(path));
    expect(strFromU8(entries['trace.trace']!)).toBe(
      `{"method":"fill","params":{"value":"${REDACTED}"}}\n{"__playwright_value_":"${REDACTED}"}`,
    );
    expect(strFromU8(entries['resources/a.json']!)).toBe(`{"username":"demo","password":"${REDACTED}"}`);
    expect(entries['resources/b.png']).toEqual(png);
    expect(strFromU8(entries['trace.network']!)).toBe('no secret here');
  });
});
