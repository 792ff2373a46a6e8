// Package render draws domain data for people: the usage chart (SVG) of
// the usage analysis. The domain packages return data; presentation lives
// here.
package render

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"

	"creditwater/credit/usage"
)

// Chart geometry, in SVG user units.
const (
	chartW, chartH              = 800.0, 380.0
	chartLeft, chartRight       = 64.0, 24.0
	chartTop, chartBottom       = 56.0, 72.0
	colourBar, colourAnomaly    = "#4a90d9", "#d9534f"
	colourTrend, colourAxis     = "#f0ad4e", "#333333"
	colourGrid, colourNoReading = "#e5e5e5", "#999999"
)

// UsageChartSVG draws a usage report as a self-contained SVG image (no
// scripts, fonts or external references) that a mini-program can show: one
// bar per period (anomalies in red, with a marker and a tooltip), the
// trailing average as a line, a y axis in m³ with grid lines and the months
// along the x axis. Every text is XML-escaped.
func UsageChartSVG(rep usage.Report) []byte {
	var b bytes.Buffer
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="sans-serif" font-size="12">`,
		f(chartW), f(chartH), f(chartW), f(chartH))
	b.WriteString(`<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>`)
	fmt.Fprintf(&b, `<text x="%s" y="24" font-size="16" font-weight="bold">%s</text>`, f(chartLeft),
		esc("用水分析 Usage analysis (m³) — "+rep.AccountNo))

	top := 0.0
	for _, p := range rep.Periods {
		for _, v := range []*float64{p.VolumeM3, p.TrailingAvgM3} {
			if v != nil && *v > top {
				top = *v
			}
		}
	}
	step := niceStep(top / 4)
	top = math.Max(step*math.Ceil(top/step), step)
	plotW, plotH := chartW-chartLeft-chartRight, chartH-chartTop-chartBottom
	y := func(v float64) float64 { return chartTop + plotH - v/top*plotH }

	// Grid and y axis labels.
	for v := 0.0; v <= top+step/2; v += step {
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, f(chartLeft), f(y(v)), f(chartLeft+plotW), f(y(v)), colourGrid)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end">%s</text>`, f(chartLeft-6), f(y(v)+4), esc(formatTick(v, step)))
	}
	fmt.Fprintf(&b, `<text x="14" y="%s" transform="rotate(-90 14 %s)" text-anchor="middle">%s</text>`,
		f(chartTop+plotH/2), f(chartTop+plotH/2), esc("m³"))

	n := len(rep.Periods)
	if n > 0 {
		slot := plotW / float64(n)
		barW := slot * 0.7
		every := int(math.Ceil(float64(n) / 24))
		var trend bytes.Buffer
		for i, p := range rep.Periods {
			cx := chartLeft + slot*(float64(i)+0.5)
			switch {
			case p.VolumeM3 != nil:
				colour := colourBar
				if p.Anomaly != usage.AnomalyNone {
					colour = colourAnomaly
				}
				h := *p.VolumeM3 / top * plotH
				tip := fmt.Sprintf("%s: %s m³", p.Period, strconv.FormatFloat(*p.VolumeM3, 'f', -1, 64))
				if p.Anomaly != usage.AnomalyNone {
					tip += " (" + string(p.Anomaly) + ")"
				}
				fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`,
					f(cx-barW/2), f(chartTop+plotH-h), f(barW), f(h), colour, esc(tip))
				if p.Anomaly != usage.AnomalyNone {
					fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" fill="%s" font-weight="bold">%s</text>`,
						f(cx), f(chartTop+plotH-h-4), colourAnomaly, esc(anomalyMarks[p.Anomaly]))
				}
			default:
				fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" fill="%s"><title>%s</title>–</text>`,
					f(cx), f(chartTop+plotH-4), colourNoReading, esc(p.Period+": no reading"))
			}
			if p.TrailingAvgM3 != nil {
				fmt.Fprintf(&trend, "%s,%s ", f(cx), f(y(*p.TrailingAvgM3)))
			}
			if i%every == 0 {
				ly := chartTop + plotH + 14
				fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" transform="rotate(-45 %s %s)">%s</text>`,
					f(cx), f(ly), f(cx), f(ly), esc(p.Period))
			}
		}
		if trend.Len() > 0 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`, bytes.TrimSpace(trend.Bytes()), colourTrend)
		}
	}
	// Axes.
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, f(chartLeft), f(chartTop), f(chartLeft), f(chartTop+plotH), colourAxis)
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, f(chartLeft), f(chartTop+plotH), f(chartLeft+plotW), f(chartTop+plotH), colourAxis)
	// Legend.
	lx := chartLeft
	legend := []struct{ colour, label string }{
		{colourBar, "用水量 volume"},
		{colourAnomaly, "异常 anomaly"},
		{colourTrend, fmt.Sprintf("%d个月均值 %d-month average", rep.TrailingMonths, rep.TrailingMonths)},
	}
	for _, l := range legend {
		fmt.Fprintf(&b, `<rect x="%s" y="34" width="12" height="12" fill="%s"/>`, f(lx), l.colour)
		fmt.Fprintf(&b, `<text x="%s" y="44">%s</text>`, f(lx+16), esc(l.label))
		lx += 200
	}
	b.WriteString(`</svg>`)
	return b.Bytes()
}

// anomalyMarks mark the bars of anomalies: ▲ high, ▼ low, 0 zero.
var anomalyMarks = map[usage.Anomaly]string{usage.AnomalyHigh: "▲", usage.AnomalyLow: "▼", usage.AnomalyZero: "0"}

// niceStep rounds a raw tick step up to 1, 2 or 5 × 10ⁿ (1 for an empty
// chart).
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*pow {
			return m * pow
		}
	}
	return 10 * pow
}

func formatTick(v, step float64) string {
	if step >= 1 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', int(math.Ceil(-math.Log10(step))), 64)
}

// esc escapes s for XML text and attribute values.
func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
