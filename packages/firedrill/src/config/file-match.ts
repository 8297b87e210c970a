/** A shell-style name pattern (`*.probe.ts`, `smoke-?.drill.ts`) as a test on file names. */
export function fileMatcher(pattern: string): (name: string) => boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );
  return (name) => re.test(name);
}
