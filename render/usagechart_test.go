package render

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"creditwater/credit/usage"
)

func TestRenderChartSVG(t *testing.T) {
	// R3.2: the chart is well-formed, self-contained XML with escaped text
	// and the anomalies highlighted.
	rep := usage.Report{AccountNo: `A<1>&"x"`, TrailingMonths: 3}
	for i := 12; i < 30; i++ { // 2025-01 … 2026-06
		p := usage.Period{Period: fmt.Sprintf("%04d-%02d", 2024+i/12, i%12+1)}
		v := 10 + float64(i%3)
		switch i {
		case 26: // 2026-03: a leak
			v, p.Anomaly = 80, usage.AnomalyHigh
		case 27: // 2026-04: no reading
			rep.Periods = append(rep.Periods, p)
			continue
		}
		p.VolumeM3, p.TrailingAvgM3 = &v, &v
		rep.Periods = append(rep.Periods, p)
	}
	empty := usage.Report{AccountNo: "E"}
	for _, r := range []usage.Report{rep, empty} {
		svg := UsageChartSVG(r)
		dec := xml.NewDecoder(bytes.NewReader(svg))
		var texts []string
		root := ""
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("not well-formed: %v\n%s", err, svg)
			}
			switch tk := tok.(type) {
			case xml.StartElement:
				if root == "" {
					root = tk.Name.Local
				}
				for _, a := range tk.Attr {
					if a.Name.Local == "href" || strings.HasPrefix(a.Name.Local, "on") {
						t.Fatalf("external reference or script attribute %s", a.Name.Local)
					}
				}
				if tk.Name.Local == "script" || tk.Name.Local == "image" {
					t.Fatalf("element %s", tk.Name.Local)
				}
			case xml.CharData:
				texts = append(texts, string(tk))
			}
		}
		all := strings.Join(texts, "|")
		if root != "svg" || !strings.Contains(all, r.AccountNo) {
			t.Fatalf("root %q, texts %q", root, all)
		}
		if r.AccountNo == rep.AccountNo {
			if !bytes.Contains(svg, []byte(colourAnomaly)) || !strings.Contains(all, "2026-03: 80 m³ (HIGH)") || !strings.Contains(all, "2026-04: no reading") {
				t.Fatalf("anomaly or gap not shown: %s", all)
			}
		}
	}
}
