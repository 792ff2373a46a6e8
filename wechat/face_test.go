package wechat

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"testing"

	"creditwater/apperr"
	"creditwater/wechat/fake"
)

func TestCertHash(t *testing.T) {
	sha := func(s string) string { sum := sha256.Sum256([]byte(s)); return hex.EncodeToString(sum[:]) }
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name         string
		typ, nam, no string
		want         string
	}{
		{
			// WeChat's documented example (queryVerifyInfo, 注意事项): the
			// string is hand-built from the documented base64 values.
			name: "documented example",
			typ:  "IDENTITY_CARD", nam: "张三", no: "310101199801011234",
			want: sha("cert_type=SURFTlRJVFlfQ0FSRA==&cert_name=5byg5LiJ&cert_no=MzEwMTAxMTk5ODAxMDExMjM0"),
		},
		{
			name: "documented example digest",
			typ:  "IDENTITY_CARD", nam: "张三", no: "310101199801011234",
			want: "3c241f7ff324977aeb91f173bb2a7b06569e6fd784d5573db34a636d8671108b",
		},
		{
			name: "ID number with X and a padded name",
			typ:  "IDENTITY_CARD", nam: "欧阳娜娜", no: "44020019900101001X",
			want: sha(fmt.Sprintf("cert_type=%s&cert_name=%s&cert_no=%s", b64("IDENTITY_CARD"), b64("欧阳娜娜"), b64("44020019900101001X"))),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CertHash(tt.typ, tt.nam, tt.no); got != tt.want {
				t.Errorf("CertHash = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestOutcomeOf(t *testing.T) {
	tests := []struct {
		ret  int
		want FaceOutcome
	}{
		{10000, FacePassed},
		{10003, FaceIDMismatch},
		{10004, FaceMismatch},
		{90002, FaceCancelled},
		{90004, FaceCancelled},
		{90006, FaceCancelled},
		{90024, FaceCancelled},
		{90017, FaceTimedOut},
		{90107, FaceTimedOut},
		{10001, FaceFailed},
		{10002, FaceFailed},
		{90001, FaceFailed},
		{90007, FaceFailed},
		{90018, FaceFailed},
		{0, FaceFailed},
	}
	for _, tt := range tests {
		if got := OutcomeOf(tt.ret); got != tt.want {
			t.Errorf("OutcomeOf(%d) = %s, want %s", tt.ret, got, tt.want)
		}
	}
}

// R6.1: the user verifies their face; the result is pulled, bound to openid
// and cert_hash, and only verify_ret 10000 passes.
func TestFaceVerification(t *testing.T) {
	start := FaceRequest{OutSeqNo: "cw_face-0001", CertName: "张三", CertNo: "310101199801011234", OpenID: "o-zhang"}
	same := func(q *FaceQuery) {}
	tests := []struct {
		name      string
		verifyRet int // 0: the fake's default
		alter     func(q *FaceQuery)
		want      FaceResult
	}{
		{name: "passed", alter: same, want: FaceResult{Passed: true, VerifyRet: 10000, Outcome: FacePassed}},
		{name: "user cancelled", verifyRet: fake.VerifyUserCancelled, alter: same, want: FaceResult{VerifyRet: 90004, Outcome: FaceCancelled}},
		{name: "timed out", verifyRet: fake.VerifyTimedOut, alter: same, want: FaceResult{VerifyRet: 90017, Outcome: FaceTimedOut}},
		{name: "face mismatch", verifyRet: fake.VerifyFaceMismatch, alter: same, want: FaceResult{VerifyRet: 10004, Outcome: FaceMismatch}},
		{name: "ID mismatch", verifyRet: fake.VerifyIDMismatch, alter: same, want: FaceResult{VerifyRet: 10003, Outcome: FaceIDMismatch}},
		{name: "system error", verifyRet: fake.VerifySystemError, alter: same, want: FaceResult{VerifyRet: 90018, Outcome: FaceFailed}},
		{name: "other openid", alter: func(q *FaceQuery) { q.OpenID = "o-someone-else" }, want: FaceResult{Outcome: FaceIDMismatch}},
		{name: "other name", alter: func(q *FaceQuery) { q.CertName = "李四" }, want: FaceResult{Outcome: FaceIDMismatch}},
		{name: "other ID number", alter: func(q *FaceQuery) { q.CertNo = "310101199801011235" }, want: FaceResult{Outcome: FaceIDMismatch}},
		{name: "other serial number", alter: func(q *FaceQuery) { q.OutSeqNo = "cw_face-0002" }, want: FaceResult{Outcome: FaceIDMismatch}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.verifyRet != 0 {
				e.fake.SetFaceResult(start.CertNo, tt.verifyRet)
			}
			id, err := e.client.StartFaceVerification(ctx(t), start)
			if err != nil || id == "" {
				t.Fatalf("start = %q, %v", id, err)
			}
			q := FaceQuery{VerifyID: id, OutSeqNo: start.OutSeqNo, CertName: start.CertName, CertNo: start.CertNo, OpenID: start.OpenID}
			tt.alter(&q)
			got, err := e.client.QueryFaceVerification(ctx(t), q)
			if err != nil {
				t.Fatalf("query: %v", err)
			}
			if got != tt.want {
				t.Errorf("result = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// Each verify_id answers once.
func TestFaceVerifyIDUsable(t *testing.T) {
	start := FaceRequest{OutSeqNo: "cw_face-0003", CertName: "张三", CertNo: "310101199801011234", OpenID: "o-zhang"}
	tests := []struct {
		name       string
		verifyID   func(id string) string
		queryFirst bool
		wantReason string
	}{
		{name: "second query is rejected", verifyID: func(id string) string { return id }, queryFirst: true, wantReason: "FACE_VERIFY_ID_USED"},
		{name: "unknown verify_id is rejected", verifyID: func(string) string { return "not-issued" }, wantReason: "FACE_VERIFY_ID_INVALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			id, err := e.client.StartFaceVerification(ctx(t), start)
			if err != nil {
				t.Fatalf("start: %v", err)
			}
			q := FaceQuery{VerifyID: tt.verifyID(id), OutSeqNo: start.OutSeqNo, CertName: start.CertName, CertNo: start.CertNo, OpenID: start.OpenID}
			if tt.queryFirst {
				if res, err := e.client.QueryFaceVerification(ctx(t), q); err != nil || !res.Passed {
					t.Fatalf("first query = %+v, %v", res, err)
				}
			}
			res, err := e.client.QueryFaceVerification(ctx(t), q)
			ae := wantCode(t, err, apperr.FailedPrecondition)
			if ae.Reason != tt.wantReason {
				t.Errorf("reason = %q, want %q", ae.Reason, tt.wantReason)
			}
			if res.Passed {
				t.Errorf("rejected query reports passed")
			}
		})
	}
}

func TestFaceInputValidation(t *testing.T) {
	ok := FaceRequest{OutSeqNo: "cw_face-0004", CertName: "张三", CertNo: "310101199801011234", OpenID: "o-zhang"}
	tests := []struct {
		name      string
		alter     func(r *FaceRequest)
		wantField string
	}{
		{name: "short serial", alter: func(r *FaceRequest) { r.OutSeqNo = "abcd" }, wantField: "outSeqNo"},
		{name: "long serial", alter: func(r *FaceRequest) { r.OutSeqNo = "a23456789012345678901234567890123" }, wantField: "outSeqNo"},
		{name: "serial with a dot", alter: func(r *FaceRequest) { r.OutSeqNo = "abc.defg" }, wantField: "outSeqNo"},
		{name: "no name", alter: func(r *FaceRequest) { r.CertName = "" }, wantField: "certName"},
		{name: "no ID number", alter: func(r *FaceRequest) { r.CertNo = "" }, wantField: "certNo"},
		{name: "no openid", alter: func(r *FaceRequest) { r.OpenID = "" }, wantField: "openId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			r := ok
			tt.alter(&r)
			_, err := e.client.StartFaceVerification(ctx(t), r)
			ae := wantCode(t, err, apperr.Invalid)
			if ae.Field != tt.wantField {
				t.Errorf("field = %q, want %q", ae.Field, tt.wantField)
			}
			_, err = e.client.QueryFaceVerification(ctx(t), FaceQuery{VerifyID: "v", OutSeqNo: r.OutSeqNo, CertName: r.CertName, CertNo: r.CertNo, OpenID: r.OpenID})
			if ae := wantCode(t, err, apperr.Invalid); ae.Field != tt.wantField {
				t.Errorf("query field = %q, want %q", ae.Field, tt.wantField)
			}
			if n := e.fake.Calls("/cityservice/face/identify/getverifyid") + e.fake.Calls("/cityservice/face/identify/queryverifyinfo"); n != 0 {
				t.Errorf("invalid input reached WeChat %d times", n)
			}
		})
	}
	t.Run("reused serial is rejected by WeChat", func(t *testing.T) {
		e := newEnv(t)
		if _, err := e.client.StartFaceVerification(ctx(t), ok); err != nil {
			t.Fatalf("first start: %v", err)
		}
		_, err := e.client.StartFaceVerification(ctx(t), ok)
		wantCode(t, err, apperr.Invalid)
	})
}
