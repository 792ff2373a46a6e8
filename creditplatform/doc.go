// Package creditplatform is the adapter to the city credit platform
// 信用中国（广东韶关）: it fetches electronic credit reports and comprehensive
// ratings (综合信用评价, GB/T 45255-2025 grades A–D) by unified social credit
// code (USCC, GB 32100-2015), and publishes commitments (公开承诺), dishonesty
// records and credit repairs, and withdraws them (R2.3, R6.2, R4.1).
//
// The platform has no public API specification, so this package defines the
// wire format below; package simulator serves the same format for development
// and tests. Client returns these wire types; package server maps them to
// the domain's (package rating's Rating and Report, package publication's
// Request and receipts), and no domain package imports this one, so a
// change of the platform's API stays in this adapter and that mapping.
//
// # Wire format
//
// All bodies are UTF-8 JSON (Content-Type: application/json). Times are
// RFC 3339 with an offset; dates are YYYY-MM-DD.
//
// # Request signing
//
// Every request carries four headers:
//
//	X-App-Key:   the application key issued by the platform
//	X-Timestamp: Unix time in seconds, decimal
//	X-Nonce:     a random string (1–128 printable ASCII characters), never reused
//	X-Signature: lowercase hex HMAC-SHA256(appSecret, stringToSign)
//
// where
//
//	stringToSign = METHOD + "\n" + PATH + "\n" + X-Timestamp + "\n" + X-Nonce + "\n" + hex(SHA-256(body))
//
// METHOD is upper case, PATH is the escaped request path without the query
// string (for example /api/v1/subjects/914403001922038216/rating), and the body
// hash is the lowercase hex SHA-256 of the exact request body bytes (of the
// empty string for GET). The platform rejects a timestamp more than five
// minutes away from its clock and a nonce it has already seen within that
// window. The signature is the enterprise registry's too (package registry);
// both use the one implementation in package apisign (Sign, SignRequest,
// Verify, Verifier).
//
// # Errors
//
// Every non-2xx response has the body
//
//	{"code": "SUBJECT_NOT_FOUND", "message": "human-readable text"}
//
// with these statuses and codes:
//
//	400 INVALID_REQUEST          malformed JSON, missing field, malformed USCC or header
//	401 MISSING_SIGNATURE        a signing header is missing or malformed
//	401 UNKNOWN_APP_KEY          X-App-Key is not registered
//	401 TIMESTAMP_OUT_OF_WINDOW  X-Timestamp is more than 5 minutes off
//	401 BAD_SIGNATURE            X-Signature does not match
//	401 NONCE_REUSED             X-Nonce was already used within the window
//	404 SUBJECT_NOT_FOUND        the USCC is unknown to the platform
//	404 PUBLICATION_NOT_FOUND    the publication id is unknown
//	404 ROUTE_NOT_FOUND          no such endpoint
//	409 IDEMPOTENCY_KEY_REUSED   the Idempotency-Key was used for a different request
//	429 RATE_LIMITED             too many requests (may carry Retry-After seconds)
//	500 INTERNAL_ERROR, 503 SERVICE_UNAVAILABLE  platform-side failure (may carry Retry-After)
//
// Client maps them as follows: SUBJECT_NOT_FOUND and PUBLICATION_NOT_FOUND to
// apperr.NotFound; 409 to apperr.Conflict; 5xx, 429, timeouts, transport
// failures, malformed responses and an open circuit breaker to
// apperr.Unavailable with reason CREDIT_PLATFORM_UNAVAILABLE and a RetryAfter
// (the platform's Retry-After, what is left of the breaker's open period, or
// DefaultRetryAfter); any other 4xx
// (signature, key, clock or request problems) to apperr.Internal, logged,
// because it means our configuration or code is wrong.
//
// # GET /api/v1/subjects/{uscc}/report
//
// Issues an electronic credit report (电子信用报告). 200:
//
//	{
//	  "reportNo": "SGXYBG20260115000001",
//	  "subjectName": "韶关市浈江清源食品有限公司",
//	  "uscc": "914403001922038216",
//	  "rating": "A",
//	  "entries": [
//	    {"kind": "欠缴水费", "description": "…", "decidedOn": "2025-03-01",
//	     "authority": "韶关市水务局", "documentNo": "韶水罚〔2025〕12号"}
//	  ],
//	  "issuedAt": "2026-01-15T10:00:00+08:00",
//	  "periodFrom": "2023-01-15T00:00:00+08:00",
//	  "periodTo": "2026-01-15T00:00:00+08:00",
//	  "pdfSha256": "<lowercase hex, omitted when no PDF exists>"
//	}
//
// "entries" lists the dishonesty entries (失信信息) of the period; it is an
// empty array when there are none. 404 SUBJECT_NOT_FOUND for an unknown USCC.
//
// # GET /api/v1/subjects/{uscc}/rating
//
// Returns the current comprehensive rating. 200:
//
//	{"uscc": "914403001922038216", "rating": "A", "evaluatedAt": "2026-01-01T00:00:00+08:00"}
//
// "rating" is one of A (诚信优良), B (基本诚信), C (失信观察), D (严重失信).
// 404 SUBJECT_NOT_FOUND for an unknown USCC.
//
// # POST /api/v1/publications
//
// Publishes a record on the platform. Header Idempotency-Key (1–128 printable
// ASCII characters) is required: repeating a request with the same key returns
// the first publication (same id, status 200) instead of creating another;
// reusing a key for a different request is 409 IDEMPOTENCY_KEY_REUSED.
// Request:
//
//	{
//	  "kind": "COMMITMENT",             // COMMITMENT | DISHONESTY | REPAIR
//	  "subjectUscc": "914403001922038216",
//	  "title": "信用承诺书（用水报装）",
//	  "body": { … any JSON object … }
//	}
//
// 201 (created) or 200 (replayed):
//
//	{"publicationId": "0190f5c2-…", "publishedAt": "2026-01-15T10:00:00+08:00"}
//
// 404 SUBJECT_NOT_FOUND when the subject is unknown.
//
// # POST /api/v1/publications/{id}/withdrawal
//
// Withdraws a publication (for example after a successful repair or objection).
// Header Idempotency-Key is required. Withdrawing an already withdrawn
// publication returns the first withdrawal (200). Request:
//
//	{"reason": "信用修复完成"}
//
// 200:
//
//	{"publicationId": "0190f5c2-…", "withdrawnAt": "2026-02-01T09:00:00+08:00"}
//
// 404 PUBLICATION_NOT_FOUND when the id is unknown; 409
// IDEMPOTENCY_KEY_REUSED when the key was used for another publication.
package creditplatform
