// Charts drawn as inline SVG: nothing to load, nothing from a CDN.

export type Bar = { label: string; value: number; tone?: string };

export function BarChart({ bars, unit = "", height = 180, title }: { bars: Bar[]; unit?: string; height?: number; title: string }) {
  const w = Math.max(320, bars.length * 48);
  const max = Math.max(1, ...bars.map((b) => b.value));
  const plot = height - 40;
  const bw = (w - 20) / Math.max(1, bars.length);
  return (
    <svg className="chart" viewBox={`0 0 ${w} ${height}`} role="img" aria-label={title} width="100%" preserveAspectRatio="xMidYMid meet">
      <title>{title}</title>
      <line x1={10} y1={plot + 10} x2={w - 10} y2={plot + 10} className="axis" />
      {bars.map((b, i) => {
        const h = (b.value / max) * (plot - 14);
        const x = 10 + i * bw + bw * 0.15;
        return (
          <g key={b.label + i}>
            <rect x={x} y={plot + 10 - h} width={bw * 0.7} height={h} className={"bar " + (b.tone ?? "")} />
            <text x={x + bw * 0.35} y={plot + 4 - h} textAnchor="middle" className="val">
              {Number.isInteger(b.value) ? b.value : b.value.toFixed(1)}
              {unit}
            </text>
            <text x={x + bw * 0.35} y={height - 12} textAnchor="middle" className="lbl">
              {b.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
