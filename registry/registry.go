package registry

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"creditwater/apisign"
	"creditwater/apperr"
	"creditwater/ident"
)

// The apperr reasons of Client's errors.
const (
	// ReasonUnavailable is the reason of every UNAVAILABLE error.
	ReasonUnavailable = "REGISTRY_UNAVAILABLE"
	// ReasonNotFound is the reason of the NOT_FOUND error for a USCC the
	// registry does not know.
	ReasonNotFound = "ENTERPRISE_NOT_FOUND"
)

// The registry's own wire error code; the others are package apisign's.
const CodeEnterpriseNotFound = "ENTERPRISE_NOT_FOUND"

// maxNameRunes bounds a legal representative's name sent to the registry.
const maxNameRunes = 100

// Status is an enterprise's registration status (登记状态).
type Status string

// The registration statuses.
const (
	StatusActive    Status = "ACTIVE"    // 存续 (在业)
	StatusRevoked   Status = "REVOKED"   // 吊销 (营业执照被吊销)
	StatusCancelled Status = "CANCELLED" // 注销
)

// Valid reports whether s is one of the three statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusActive, StatusRevoked, StatusCancelled:
		return true
	}
	return false
}

// Label returns the Chinese name of the status, or "" for an invalid one.
func (s Status) Label() string {
	switch s {
	case StatusActive:
		return "存续"
	case StatusRevoked:
		return "吊销"
	case StatusCancelled:
		return "注销"
	}
	return ""
}

// Enterprise is what the registry says about one enterprise. It is also the
// lookup's wire body. It carries no ID number: the registry never returns
// one.
type Enterprise struct {
	USCC   string `json:"uscc"`
	Name   string `json:"name"`
	Status Status `json:"status"`
	// LegalRepName is the current legal representative's (法定代表人) name.
	LegalRepName string `json:"legalRepName"`
	// LegalRepSince is when the current legal representative took office
	// (the establishment date when it never changed).
	LegalRepSince time.Time `json:"legalRepSince"`
}

// Verification is the wire body of a legal-representative verification.
// Its String and GoString mask the ID number, so it never reaches a log
// whole.
type Verification struct {
	Name     string       `json:"name"`
	IDType   ident.IDType `json:"idType"`
	IDNumber string       `json:"idNumber"`
}

// String renders v with the ID number masked.
func (v Verification) String() string {
	return "{" + v.Name + " " + string(v.IDType) + " " + ident.MaskID(v.IDNumber) + "}"
}

// GoString renders v with the ID number masked.
func (v Verification) GoString() string { return "registry.Verification" + v.String() }

// VerificationResult is the wire answer of a legal-representative
// verification. Match is a pointer so that a missing field is an error.
type VerificationResult struct {
	Match *bool `json:"match"`
}

// Config says how to reach the registry (BaseURL, app key and secret,
// timeout, breaker settings, transport, logger); see apisign.Config.
type Config = apisign.Config

// Client is the HTTP adapter to the enterprise registry (企业登记信息,
// 法人身份核验). It signs every request (package apisign), bounds it with a
// timeout and guards the registry with a circuit breaker that opens on 5xx
// answers and timeouts. It is safe for concurrent use.
type Client struct {
	api *apisign.Client
}

// New returns a Client for cfg. A malformed BaseURL is reported by every call
// as INTERNAL.
func New(cfg Config) *Client {
	return &Client{api: apisign.NewClient(apisign.Upstream{
		Name:              "registry",
		Title:             "企业登记信息系统",
		UnavailableReason: ReasonUnavailable,
		Refusal:           refusal,
	}, cfg)}
}

// refusal maps the registry's documented 4xx answers.
func refusal(status int, code string) *apperr.Error {
	if status == http.StatusNotFound && code == CodeEnterpriseNotFound {
		return apperr.New(apperr.NotFound, "企业登记信息中没有该统一社会信用代码对应的企业").WithReason(ReasonNotFound)
	}
	return nil
}

// Lookup returns the registry's entry of the enterprise with the given
// unified social credit code (R6.5): its name, status and current legal
// representative. The code is normalised (trimmed, upper-cased) first.
//
// It returns INVALID (field "uscc", ident's reasons) for a malformed code,
// NOT_FOUND (reason ENTERPRISE_NOT_FOUND) when the registry does not know
// the enterprise, UNAVAILABLE (reason REGISTRY_UNAVAILABLE, with RetryAfter)
// when the registry fails, times out, answers unusably or the breaker is
// open, and INTERNAL when the registry rejects our credentials or request.
func (c *Client) Lookup(ctx context.Context, uscc string) (Enterprise, error) {
	uscc, err := validUSCC(uscc)
	if err != nil {
		return Enterprise{}, err
	}
	return apisign.DoJSON(ctx, c.api, apisign.Request{Method: http.MethodGet, Path: "/api/v1/enterprises/" + uscc, Route: "/api/v1/enterprises/{uscc}"},
		func(ent *Enterprise) error {
			if ent.USCC != uscc || strings.TrimSpace(ent.Name) == "" || !ent.Status.Valid() ||
				strings.TrimSpace(ent.LegalRepName) == "" || ent.LegalRepSince.IsZero() {
				return errors.New("enterprise does not match the request or lacks fields")
			}
			return nil
		})
}

// VerifyLegalRep asks the registry whether the person with this name and ID
// document is the enterprise's current legal representative (R6.5). It
// reports true only on the registry's explicit match. The ID number is
// normalised and checked (ident.ValidateID) and sent only in the signed
// request body; it is never logged nor put in an error. The registry's
// answer is a bare match, so nothing about the person is learnt or stored.
// The enterprise's status is not part of the answer: check it with Lookup.
//
// It returns INVALID for a malformed code (field "uscc"), an empty or
// over-long name (field "legalRepName"), an unknown ID type (field "idType")
// or a malformed ID number (field "idNumber", ident's reasons); NOT_FOUND
// (reason ENTERPRISE_NOT_FOUND) when the registry does not know the
// enterprise; UNAVAILABLE (reason REGISTRY_UNAVAILABLE, with RetryAfter)
// when the registry fails, times out, answers unusably or the breaker is
// open; and INTERNAL when the registry rejects our credentials or request.
func (c *Client) VerifyLegalRep(ctx context.Context, uscc, name, idType, idNumber string) (bool, error) {
	uscc, err := validUSCC(uscc)
	if err != nil {
		return false, err
	}
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n == 0 || n > maxNameRunes {
		return false, apperr.InvalidField("legalRepName", "法定代表人姓名须为 1 至 %d 个字符", maxNameRunes)
	}
	t := ident.IDType(idType)
	idNumber, err = ident.ValidateID(t, idNumber)
	if err != nil {
		return false, err
	}
	res, err := apisign.DoJSON(ctx, c.api, apisign.Request{
		Method: http.MethodPost,
		Path:   "/api/v1/enterprises/" + uscc + "/legal-representative/verification",
		Route:  "/api/v1/enterprises/{uscc}/legal-representative/verification",
		Body:   Verification{Name: name, IDType: t, IDNumber: idNumber},
	}, func(res *VerificationResult) error {
		if res.Match == nil {
			return errors.New("verification answer lacks match")
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	return *res.Match, nil
}

// validUSCC normalises and checks a unified social credit code.
func validUSCC(uscc string) (string, error) {
	uscc = ident.NormalizeUSCC(uscc)
	if err := ident.ValidateUSCC(uscc); err != nil {
		return "", err
	}
	return uscc, nil
}
