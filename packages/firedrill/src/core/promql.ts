import { parser } from '@prometheus-io/lezer-promql';

/**
 * The metric names a PromQL expression reads, from Prometheus' own grammar (the parser its web
 * UI uses), not a regex: label names, function names and keywords are never mistaken for
 * metrics. `{__name__="x"}` counts as `x`; a regex on `__name__` names nothing certain.
 */
export function metricNamesOf(expr: string): string[] {
  const names = new Set<string>();
  const tree = parser.parse(expr);
  tree.iterate({
    enter(node) {
      if (node.name === 'VectorSelector') {
        const id = node.node.getChild('Identifier');
        if (id) names.add(expr.slice(id.from, id.to));
        return;
      }
      if (node.name === 'UnquotedLabelMatcher' || node.name === 'QuotedLabelMatcher') {
        const label = node.node.getChild('LabelName') ?? node.node.getChild('QuotedLabelName');
        const op = node.node.getChild('MatchOp')?.firstChild?.name;
        const value = node.node.getChild('StringLiteral');
        if (label && value && op === 'EqlSingle' && unquote(expr.slice(label.from, label.to)) === '__name__')
          names.add(unquote(expr.slice(value.from, value.to)));
      }
    },
  });
  return [...names];
}

function unquote(s: string): string {
  return /^["'`]/.test(s) ? s.slice(1, -1) : s;
}
