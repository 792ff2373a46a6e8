package simulator

import (
	"time"

	cpsim "creditwater/creditplatform/simulator"
	"creditwater/ident"
	"creditwater/registry"
)

// Fixture enterprises: the six of the credit platform's simulator under its
// codes (one source, so they cannot drift) and with the same names (the
// unknown one unknown here too), plus a revoked and a cancelled one. All are
// valid GB 32100-2015 codes.
const (
	// EnterpriseA (韶关市清源食品有限公司) is ACTIVE; its legal
	// representative is LegalRepAName / LegalRepAID.
	EnterpriseA = cpsim.EnterpriseA
	// EnterpriseB (韶关市顺达物流有限公司) is ACTIVE; its legal
	// representative is LegalRepBName / LegalRepBID.
	EnterpriseB = cpsim.EnterpriseB
	// EnterpriseC (韶关市浈江恒信建材有限公司) is ACTIVE.
	EnterpriseC = cpsim.EnterpriseC
	// EnterpriseD (乐昌市宏发矿业有限公司) is ACTIVE.
	EnterpriseD = cpsim.EnterpriseD
	// EnterpriseWithEntries (仁化县金泉酒店管理有限公司) is ACTIVE.
	EnterpriseWithEntries = cpsim.EnterpriseWithEntries
	// EnterpriseUnknown is a valid code the registry does not know (404).
	EnterpriseUnknown = cpsim.EnterpriseUnknown
	// EnterpriseRevoked (始兴县永丰五金制品有限公司) is REVOKED (吊销).
	EnterpriseRevoked = "91440222MA4UK2FB7E"
	// EnterpriseCancelled (韶关市曲江区惠民农资贸易有限公司) is CANCELLED (注销).
	EnterpriseCancelled = "91440205MA4Y6R3N2U"
)

// The demo legal representatives of EnterpriseA and EnterpriseB (resident
// ID numbers with valid GB 11643-1999 check characters, from SPEC).
const (
	LegalRepAName = "林志强"
	LegalRepAID   = "11010519491231002X"
	LegalRepBName = "陈美玲"
	LegalRepBID   = "440524188001010014"
)

// Fixtures returns a fresh copy of the entries a new Simulator knows.
func Fixtures() []Entry {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, cst) }
	rep := func(uscc, name string, st registry.Status, repName, repID string, since time.Time) Entry {
		return Entry{USCC: uscc, Name: name, Status: st, LegalRepName: repName,
			LegalRepIDType: ident.ResidentIDCard, LegalRepIDNumber: repID, LegalRepSince: since}
	}
	return []Entry{
		rep(EnterpriseA, "韶关市清源食品有限公司", registry.StatusActive, LegalRepAName, LegalRepAID, day(2016, 3, 1)),
		rep(EnterpriseB, "韶关市顺达物流有限公司", registry.StatusActive, LegalRepBName, LegalRepBID, day(2012, 7, 16)),
		rep(EnterpriseC, "韶关市浈江恒信建材有限公司", registry.StatusActive, "黄建国", "44020419750312003X", day(2017, 5, 8)),
		rep(EnterpriseD, "乐昌市宏发矿业有限公司", registry.StatusActive, "邓伟明", "440281196808210018", day(2018, 11, 20)),
		rep(EnterpriseWithEntries, "仁化县金泉酒店管理有限公司", registry.StatusActive, "刘秀英", "440224198206050020", day(2019, 4, 2)),
		rep(EnterpriseRevoked, "始兴县永丰五金制品有限公司", registry.StatusRevoked, "张海涛", "440222197909180051", day(2015, 9, 10)),
		rep(EnterpriseCancelled, "韶关市曲江区惠民农资贸易有限公司", registry.StatusCancelled, "吴丽华", "440205198502270045", day(2016, 12, 5)),
	}
}
