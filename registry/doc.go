// Package registry is the adapter to the enterprise registry (企业登记信息):
// the authority that says who an enterprise is — its name, its registration
// status (存续 / 吊销 / 注销) and its legal representative (法定代表人) — and
// answers whether a given person is that legal representative (法人身份核验,
// the "企业三要素核验" of market regulation joined with the person's ID
// number), SPEC R6.5.
//
// It is its own adapter, not a call of package creditplatform: the registry
// is a different authority (market regulation, reached through a 政务数据共享
// interface), with its own credentials, availability and audit. No public
// specification exists, so this package defines the wire format below;
// package simulator serves the same format for development and tests.
//
// The registry never returns ID numbers, and its verification answer is a
// bare match: creditwater learns and stores nothing about the person from
// it.
//
// # Wire format
//
// All bodies are UTF-8 JSON (Content-Type: application/json). Times are
// RFC 3339 with an offset. A unified social credit code (USCC) is the
// 18-character GB 32100-2015 code in upper case.
//
// # Request signing
//
// Every request carries four headers:
//
//	X-App-Key:   the application key issued by the registry
//	X-Timestamp: Unix time in seconds, decimal
//	X-Nonce:     a random string (1–128 printable ASCII characters), never reused
//	X-Signature: lowercase hex HMAC-SHA256(appSecret, stringToSign)
//
// where
//
//	stringToSign = METHOD + "\n" + PATH + "\n" + X-Timestamp + "\n" + X-Nonce + "\n" + hex(SHA-256(body))
//
// METHOD is upper case, PATH is the escaped request path without the query
// string (for example /api/v1/enterprises/914403001922038216), and the body
// hash is the lowercase hex SHA-256 of the exact request body bytes (of the
// empty string for GET). The registry rejects a timestamp more than five
// minutes away from its clock and a nonce it has already seen within that
// window. This is the credit platform's signature; both use the one
// implementation in package apisign.
//
// # Errors
//
// Every non-2xx response has the body
//
//	{"code": "ENTERPRISE_NOT_FOUND", "message": "human-readable text"}
//
// with these statuses and codes:
//
//	400 INVALID_REQUEST          malformed JSON, missing field, unknown idType, malformed USCC
//	401 MISSING_SIGNATURE        a signing header is missing or malformed
//	401 UNKNOWN_APP_KEY          X-App-Key is not registered
//	401 TIMESTAMP_OUT_OF_WINDOW  X-Timestamp is more than 5 minutes off
//	401 BAD_SIGNATURE            X-Signature does not match
//	401 NONCE_REUSED             X-Nonce was already used within the window
//	404 ENTERPRISE_NOT_FOUND     the USCC is unknown to the registry
//	404 ROUTE_NOT_FOUND          no such endpoint
//	429 RATE_LIMITED             too many requests (may carry Retry-After seconds)
//	500 INTERNAL_ERROR, 503 SERVICE_UNAVAILABLE  registry-side failure (may carry Retry-After)
//
// Client maps them as follows: ENTERPRISE_NOT_FOUND to apperr.NotFound with
// reason ENTERPRISE_NOT_FOUND; 5xx, 429, timeouts, transport failures,
// malformed responses and an open circuit breaker to apperr.Unavailable with
// reason REGISTRY_UNAVAILABLE and a RetryAfter (the Retry-After header, the
// breaker's remaining open time, or five seconds); any other 4xx (signature,
// key, clock or request problems) to apperr.Internal, logged, because it
// means our configuration or code is wrong. No error or log carries the ID
// number, the app secret or a response body.
//
// # GET /api/v1/enterprises/{uscc}
//
// Looks an enterprise up. 200:
//
//	{
//	  "uscc": "914403001922038216",
//	  "name": "韶关市清源食品有限公司",
//	  "status": "ACTIVE",
//	  "legalRepName": "林志强",
//	  "legalRepSince": "2016-03-01T00:00:00+08:00"
//	}
//
// "status" is one of ACTIVE (存续), REVOKED (吊销: business licence revoked)
// or CANCELLED (注销: deregistered); a revoked or cancelled enterprise is
// still found, with its last legal representative. "legalRepSince" is when
// the current legal representative took office (the establishment date when
// it never changed); a change of legal representative changes it. All
// fields are required. 404 ENTERPRISE_NOT_FOUND for an unknown USCC.
//
// # POST /api/v1/enterprises/{uscc}/legal-representative/verification
//
// Asks whether a person is the enterprise's current legal representative.
// Request:
//
//	{"name": "林志强", "idType": "RESIDENT_ID_CARD", "idNumber": "11010519491231002X"}
//
// "idType" is one of RESIDENT_ID_CARD, PASSPORT, HK_MACAO_PERMIT,
// TAIWAN_PERMIT, HMT_RESIDENCE_PERMIT, FOREIGNER_PERMANENT_RESIDENCE;
// "idNumber" is upper case without spaces. 200:
//
//	{"match": true}
//
// "match" is true only when the name, the document type and the number
// (compared after upper-casing) are those of the current legal
// representative; it says nothing about which of them differs, and nothing
// about the enterprise's status (see the lookup). 404 ENTERPRISE_NOT_FOUND
// for an unknown USCC; 400 INVALID_REQUEST for an empty name or number or an
// unknown idType.
package registry
