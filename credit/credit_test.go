package credit_test

import (
	"testing"

	"creditwater/config"
	"creditwater/credit"
	ct "creditwater/credit/credittest"
	"creditwater/models"
)

func TestPublicity(t *testing.T) {
	// R5.3, R7.4: publicity periods come from the severity and Config.
	decided := ct.Noon(2026, 1, 31)
	cases := []struct {
		cfg      credit.Config
		severity models.Severity
		want     credit.Publicity
	}{
		{credit.Config{}, models.SeverityGeneral, credit.Publicity{true, ct.Day(2026, 1, 31), ct.Day(2026, 4, 30), ct.Day(2027, 1, 31)}},
		{credit.Config{}, models.SeveritySerious, credit.Publicity{true, ct.Day(2026, 1, 31), ct.Day(2027, 1, 31), ct.Day(2029, 1, 31)}},
		{credit.Config{}, models.SeverityMinor, credit.Publicity{}},
		{credit.Config{Credit: config.Credit{GeneralPublicityMinMonths: 1, GeneralPublicityMaxMonths: 6}}, models.SeverityGeneral,
			credit.Publicity{true, ct.Day(2026, 1, 31), ct.Day(2026, 2, 28), ct.Day(2026, 7, 31)}},
	}
	for _, c := range cases {
		if got := c.cfg.Publicity(models.KindViolation, c.severity, decided); got != c.want {
			t.Errorf("%s %+v: got %+v, want %+v", c.severity, c.cfg, got, c.want)
		}
	}
}
