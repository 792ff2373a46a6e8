package simulator

import (
	"time"

	cp "creditwater/creditplatform"
)

// Fixture subjects. All are valid GB 32100-2015 codes.
const (
	// EnterpriseA is rated A (诚信优良) with no dishonesty entries.
	EnterpriseA = "914403001922038216"
	// EnterpriseB is rated B (基本诚信) with no dishonesty entries.
	EnterpriseB = "9144030071526726XG"
	// EnterpriseC is rated C (失信观察) with no dishonesty entries.
	EnterpriseC = "91440204MA4W3C2K90"
	// EnterpriseD is rated D (严重失信) with one serious dishonesty entry.
	EnterpriseD = "91440281MA51B7QD8E"
	// EnterpriseWithEntries is rated C with two dishonesty entries.
	EnterpriseWithEntries = "91440224MA4X8N1P16"
	// EnterpriseUnknown is a valid code the platform does not know (404).
	EnterpriseUnknown = "91440205MA52K0LT81"
)

// Fixtures returns a fresh copy of the subjects a new Simulator knows.
func Fixtures() []Subject {
	fixtureEvaluatedAt := time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	return []Subject{
		{
			USCC: EnterpriseA, Name: "韶关市清源食品有限公司", Rating: cp.RatingA,
			EvaluatedAt: fixtureEvaluatedAt,
			PDFSHA256:   "5f2b7c1e9a4d3086b1e2f4a7c9d0e8b6a3f5c7d9e1b2a4c6d8f0e2a4b6c8d0e1",
		},
		{
			USCC: EnterpriseB, Name: "韶关市顺达物流有限公司", Rating: cp.RatingB,
			EvaluatedAt: fixtureEvaluatedAt,
		},
		{
			USCC: EnterpriseC, Name: "韶关市浈江恒信建材有限公司", Rating: cp.RatingC,
			EvaluatedAt: fixtureEvaluatedAt,
		},
		{
			USCC: EnterpriseD, Name: "乐昌市宏发矿业有限公司", Rating: cp.RatingD,
			EvaluatedAt: fixtureEvaluatedAt,
			Entries: []cp.DishonestyEntry{{
				Kind:        "严重失信主体名单",
				Description: "因违法排放被列入严重失信主体名单",
				DecidedOn:   "2025-06-18",
				Authority:   "韶关市生态环境局",
				DocumentNo:  "韶环罚〔2025〕37号",
			}},
		},
		{
			USCC: EnterpriseWithEntries, Name: "仁化县金泉酒店管理有限公司", Rating: cp.RatingC,
			EvaluatedAt: fixtureEvaluatedAt,
			Entries: []cp.DishonestyEntry{
				{
					Kind:        "欠缴水费",
					Description: "连续六个月欠缴水费，经催缴仍未缴纳",
					DecidedOn:   "2025-03-01",
					Authority:   "韶关市水务局",
				},
				{
					Kind:        "行政处罚",
					Description: "擅自改装供水设施",
					DecidedOn:   "2025-09-12",
					Authority:   "仁化县水务局",
					DocumentNo:  "仁水罚〔2025〕5号",
				},
			},
		},
	}
}
