package csvsafe

import (
	"bytes"
	"encoding/csv"
	"testing"
)

// R1.1: cells a spreadsheet would run as formulas are detected, and
// neutralised on export; numbers stay numbers.
func TestFormulaAndCell_R1_1(t *testing.T) {
	tests := []struct {
		cell     string
		formula  bool
		wantCell string
	}{
		{cell: `=cmd|' /C calc'!A0`, formula: true, wantCell: `'=cmd|' /C calc'!A0`},
		{cell: `+SUM(A1:A9)`, formula: true, wantCell: `'+SUM(A1:A9)`},
		{cell: `-2+3+cmd|' /C calc'!A0`, formula: true, wantCell: `'-2+3+cmd|' /C calc'!A0`},
		{cell: `@SUM(1,2)`, formula: true, wantCell: `'@SUM(1,2)`},
		{cell: "\t=1+1", formula: true, wantCell: "'\t=1+1"},
		{cell: "\r=1+1", formula: true, wantCell: "'\r=1+1"},
		{cell: `  =HYPERLINK("http://x")`, formula: true, wantCell: `'  =HYPERLINK("http://x")`},
		{cell: `-`, formula: true, wantCell: `'-`},
		{cell: `-12.50`, formula: true, wantCell: `-12.50`},
		{cell: `+86`, formula: true, wantCell: `+86`},
		{cell: `-0.5`, formula: true, wantCell: `-0.5`},
		{cell: `-1e3`, formula: true, wantCell: `'-1e3`},
		{cell: `-.5`, formula: true, wantCell: `'-.5`},
		{cell: `-Inf`, formula: true, wantCell: `'-Inf`},
		{cell: `韶关市清源食品有限公司`, wantCell: `韶关市清源食品有限公司`},
		{cell: `A=1`, wantCell: `A=1`},
		{cell: `12.50`, wantCell: `12.50`},
		{cell: ``, wantCell: ``},
		{cell: `   `, wantCell: `   `},
	}
	for _, tt := range tests {
		if got := Formula(tt.cell); got != tt.formula {
			t.Errorf("Formula(%q) = %v, want %v", tt.cell, got, tt.formula)
		}
		if got := Cell(tt.cell); got != tt.wantCell {
			t.Errorf("Cell(%q) = %q, want %q", tt.cell, got, tt.wantCell)
		}
	}
}

// R1.1: the Writer neutralises every cell and is otherwise encoding/csv.
func TestWriter_R1_1(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	in := [][]string{
		{"name", "amount_yuan"},
		{`=cmd|' /C calc'!A0`, "-12.50"},
		{"清源, \"食品\"", "@1"},
	}
	if err := w.WriteAll(in); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"name", "amount_yuan"},
		{`'=cmd|' /C calc'!A0`, "-12.50"},
		{"清源, \"食品\"", "'@1"},
	}
	if len(got) != len(want) {
		t.Fatalf("read back %q, want %q", got, want)
	}
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Errorf("cell %d,%d = %q, want %q", i, j, got[i][j], want[i][j])
			}
		}
	}
	if in[1][0] != `=cmd|' /C calc'!A0` {
		t.Errorf("Write changed the caller's record: %q", in[1][0])
	}
}
