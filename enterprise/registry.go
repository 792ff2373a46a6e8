package enterprise

import (
	"context"
	"time"
)

// RegistryStatus is an enterprise's status in the registry (企业登记状态).
type RegistryStatus string

// Registry statuses.
const (
	RegistryActive    RegistryStatus = "ACTIVE"    // 存续
	RegistryRevoked   RegistryStatus = "REVOKED"   // 吊销
	RegistryCancelled RegistryStatus = "CANCELLED" // 注销
)

// Label is the status's Chinese name.
func (s RegistryStatus) Label() string {
	switch s {
	case RegistryActive:
		return "存续"
	case RegistryRevoked:
		return "吊销"
	case RegistryCancelled:
		return "注销"
	}
	return string(s)
}

// RegistryEntry is what the enterprise registry says of an enterprise.
type RegistryEntry struct {
	USCC          string
	Name          string
	Status        RegistryStatus
	LegalRepName  string
	LegalRepSince time.Time
}

// Registry is the authoritative source of who an enterprise is (R6.5): its
// name, status and legal representative, and whether a name and ID number
// are its current legal representative's. The registry adapter provides
// it. Lookup returns NOT_FOUND (reason ENTERPRISE_NOT_FOUND) for an unknown
// USCC; both return UNAVAILABLE when the registry cannot be reached.
type Registry interface {
	Lookup(ctx context.Context, uscc string) (RegistryEntry, error)
	VerifyLegalRep(ctx context.Context, uscc, name, idType, idNumber string) (bool, error)
}
