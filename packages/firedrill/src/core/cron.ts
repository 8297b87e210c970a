import { validateDetailed } from 'node-cron';

/** node-cron's own parser decides, so what validates here is exactly what `firedrill schedule` runs. */
export function cronProblem(expr: string): string | undefined {
  const { valid, errors } = validateDetailed(expr);
  if (valid) return undefined;
  const first = errors[0];
  const detail = first
    ? first.field === 'expression'
      ? first.message
      : `${first.field}: ${first.message}`
    : '';
  return `invalid cron expression ${JSON.stringify(expr)}${detail ? ` (${detail})` : ''}`;
}
