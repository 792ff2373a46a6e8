package render_test

import (
	"strings"
	"testing"
	"time"

	"creditwater/rating"
	"creditwater/render"
)

// R6.1, R7.5: the report's printable layout carries every fact of the
// report, in Chinese.
func TestR6_1_CreditReportLayout(t *testing.T) {
	rep := rating.Report{ReportNo: "SGXYBG20261201000001", SubjectName: "韶关市清源食品有限公司", USCC: "914403001922038216",
		Level: rating.LevelC, IssuedAt: time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC),
		PeriodFrom: time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC), PeriodTo: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
		Entries: []rating.Entry{{Kind: "行政处罚", Description: "违规排水", DecidedOn: "2025-03-01", Authority: "韶关市水务局", DocumentNo: "韶水罚〔2025〕1号"}}}
	d := render.CreditReport(rep, "信用中国（广东韶关）")
	var all strings.Builder
	for _, s := range d.Sections {
		all.WriteString(s.Heading + "\n" + strings.Join(s.Paragraphs, "\n") + "\n")
	}
	text := all.String()
	for _, want := range []string{"SGXYBG20261201000001", "韶关市清源食品有限公司", "914403001922038216", "C（失信观察）",
		"2023-12-01 至 2026-11-30", "违规排水", "韶关市水务局", "韶水罚〔2025〕1号", "信用中国（广东韶关）"} {
		if !strings.Contains(text, want) {
			t.Errorf("the layout lacks %q:\n%s", want, text)
		}
	}
	if d.Title != render.CreditReportTitle || !d.At.Equal(rep.IssuedAt) {
		t.Errorf("title %q at %v", d.Title, d.At)
	}
	rep.Entries = nil
	if d := render.CreditReport(rep, "x"); !strings.Contains(strings.Join(d.Sections[1].Paragraphs, ""), "无失信信息") {
		t.Errorf("no entries: %+v", d.Sections[1])
	}
}
