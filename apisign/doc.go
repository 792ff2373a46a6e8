// Package apisign is the one implementation of the signed HTTP APIs that
// creditwater's government adapters speak: the city credit platform
// (package creditplatform) and the enterprise registry (package registry).
// Neither authority publishes a specification, so both wire formats are ours
// and share this signature, error body and client behaviour.
//
// # Request signing
//
// Every request carries four headers:
//
//	X-App-Key:   the application key issued by the authority
//	X-Timestamp: Unix time in seconds, decimal
//	X-Nonce:     a random string (1–128 printable ASCII characters), never reused
//	X-Signature: lowercase hex HMAC-SHA256(appSecret, stringToSign)
//
// where
//
//	stringToSign = METHOD + "\n" + PATH + "\n" + X-Timestamp + "\n" + X-Nonce + "\n" + hex(SHA-256(body))
//
// METHOD is upper case, PATH is the escaped request path without the query
// string (for example /api/v1/subjects/914403001922038216/rating), and the
// body hash is the lowercase hex SHA-256 of the exact request body bytes (of
// the empty string for GET). A server rejects a timestamp more than five
// minutes away from its clock and a nonce it has already seen within that
// window. See Sign, SignRequest, Verify and Verifier.
//
// # Errors
//
// Every non-2xx response has the body
//
//	{"code": "MISSING_SIGNATURE", "message": "human-readable text"}
//
// and these codes are common to every signed API (each API adds its own):
//
//	400 INVALID_REQUEST          malformed JSON, missing field, malformed identifier or header
//	401 MISSING_SIGNATURE        a signing header is missing or malformed
//	401 UNKNOWN_APP_KEY          X-App-Key is not registered
//	401 TIMESTAMP_OUT_OF_WINDOW  X-Timestamp is more than 5 minutes off
//	401 BAD_SIGNATURE            X-Signature does not match
//	401 NONCE_REUSED             X-Nonce was already used within the window
//	404 ROUTE_NOT_FOUND          no such endpoint
//	429 RATE_LIMITED             too many requests (may carry Retry-After seconds)
//	500 INTERNAL_ERROR, 503 SERVICE_UNAVAILABLE  upstream failure (may carry Retry-After)
//
// # Client
//
// Client signs each call, bounds it with a timeout and guards the upstream
// with a circuit breaker (github.com/sony/gobreaker/v2) that counts 5xx
// answers, timeouts, transport failures and unusable responses. 5xx, 429,
// those failures and an open breaker become apperr.Unavailable with the
// adapter's reason and a RetryAfter (the Retry-After header, the breaker's
// remaining open time, or DefaultRetryAfter); the 4xx answers an adapter
// documents become its errors; any other 4xx means our key, secret, clock or
// code is wrong and becomes apperr.Internal, logged without secrets or
// bodies.
package apisign
