package ops

import (
	"io"
	"strconv"

	"creditwater/credit"
	"creditwater/csvsafe"
)

// bom is the UTF-8 byte-order mark: Excel reads a CSV file as UTF-8 only
// when it starts with one.
const bom = "\ufeff"

// pathNames and reviewNames are the Chinese names the export shows.
var (
	pathNames   = map[Path]string{ZeroDocument: "信用承诺免材料", Ordinary: "一般办理"}
	reviewNames = map[ReviewKind]string{ReviewRepair: "信用修复", ReviewObjection: "异议申诉"}
)

// WriteCSV writes st as one CSV file for a spreadsheet (R8.3): a UTF-8 BOM,
// then one row per figure as 分类, 项目, 子项, 数值 … with Chinese headings,
// every cell through csvsafe. It returns the writer's error.
func WriteCSV(w io.Writer, st Stats) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	h := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	rows := [][]string{
		{"统计期间", credit.DateString(st.Period.From), credit.DateString(st.Period.To.Add(-1)), "", ""},
		{"分类", "项目", "子项", "数值", "数值2"},
	}
	for _, wk := range st.ApplicationsPerWeek {
		rows = append(rows, []string{"每周申请", credit.DateString(wk.WeekStart), "提交/受理", n(wk.Submitted), n(wk.Accepted)})
	}
	for _, p := range st.Paths {
		rows = append(rows, []string{"办理时长（小时）", pathNames[p.Path], "提交至受理", h(p.AvgHours), n(p.Accepted)})
	}
	for _, sp := range st.Steps {
		rows = append(rows, []string{"环节时长（小时）", pathNames[sp.Path], string(sp.Step), h(sp.AvgHours), n(sp.Count)})
	}
	for _, r := range st.Records {
		rows = append(rows, []string{"失信记录", string(r.Kind), string(r.Status), n(r.Count), ""})
	}
	for _, t := range st.Tiers {
		rows = append(rows, []string{"信用层级", string(t.Tier), "", n(t.Count), ""})
	}
	for _, g := range st.Grades {
		rows = append(rows, []string{"信用分级", string(g.Grade), "", n(g.Count), ""})
	}
	for _, r := range st.Ratings {
		rows = append(rows, []string{"综合信用评价", r.Rating, "", n(r.Count), ""})
	}
	for _, d := range st.Deadlines {
		name := reviewNames[d.Kind]
		rows = append(rows,
			[]string{"期限", name, "按期办结", n(d.OnTime), ""},
			[]string{"期限", name, "逾期办结", n(d.Late), ""},
			[]string{"期限", name, "办理中未逾期", n(d.OpenOnTime), ""},
			[]string{"期限", name, "办理中已逾期", n(d.OpenOverdue), ""})
	}
	return csvsafe.NewWriter(w).WriteAll(rows)
}
