package wechat

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"

	"creditwater/apperr"
	"creditwater/wechat/wxerr"
)

// Face verification (人脸核身 2.0): StartFaceVerification gets a verify_id for
// the mini-program's wx.requestFacialVerify; QueryFaceVerification then pulls
// the result, bound to the same out_seq_no, ID (as cert_hash) and openid.
// WeChat sends no callback, each verify_id answers once, and no face image is
// ever fetched.
const (
	pathGetVerifyID     = "/cityservice/face/identify/getverifyid"
	pathQueryVerifyInfo = "/cityservice/face/identify/queryverifyinfo"

	// CertTypeIDCard is the cert_type of a resident identity card.
	CertTypeIDCard = "IDENTITY_CARD"
)

// outSeqNoPattern is WeChat's rule for out_seq_no: 5–32 letters, digits, _ or -.
var outSeqNoPattern = regexp.MustCompile(`^[0-9A-Za-z_-]{5,32}$`)

// FaceRequest starts a face verification of the person with this ID card.
type FaceRequest struct {
	OutSeqNo string // our unique serial number, 5–32 of [0-9A-Za-z_-]
	CertName string // name on the ID card
	CertNo   string // ID card number
	OpenID   string // the user who will face the camera
}

// FaceQuery asks for the result of a face verification; every field must
// equal what StartFaceVerification was given (VerifyID is its result).
type FaceQuery struct {
	VerifyID string
	OutSeqNo string
	CertName string
	CertNo   string
	OpenID   string
}

// FaceOutcome classifies a face verification result.
type FaceOutcome string

// The face verification outcomes.
const (
	FacePassed     FaceOutcome = "PASSED"
	FaceCancelled  FaceOutcome = "CANCELLED"
	FaceTimedOut   FaceOutcome = "TIMED_OUT"
	FaceMismatch   FaceOutcome = "FACE_MISMATCH" // the face is not the ID holder's
	FaceIDMismatch FaceOutcome = "ID_MISMATCH"   // name and ID number disagree, or the query's identity differs from the start's
	FaceFailed     FaceOutcome = "FAILED"        // anything else: device, permission, network or system trouble
)

// FaceResult is the result of QueryFaceVerification.
type FaceResult struct {
	// Passed is true only when WeChat answered errcode 0 and verify_ret 10000.
	Passed bool
	// VerifyRet is WeChat's verify_ret (0 when WeChat answered an errcode).
	VerifyRet int
	Outcome   FaceOutcome
}

// OutcomeOf maps WeChat's verify_ret (documented enum of queryVerifyInfo) to
// an outcome:
//
//	10000                  PASSED         识别成功
//	10003                  ID_MISMATCH    身份证号不匹配
//	10004                  FACE_MISMATCH  比对人脸信息不匹配
//	90002–90006, 90024     CANCELLED      user cancelled (tutorial, init, capture, upload, release, confirm page)
//	90017, 90107           TIMED_OUT      识别过程超时 / 用户检测超时
//	anything else          FAILED         e.g. 10001 参数错误, 10002 人脸特征检测失败, 90001 device unsupported,
//	                                      90007 network, 90008–90010 permissions, 90018 system error
func OutcomeOf(verifyRet int) FaceOutcome {
	switch {
	case verifyRet == 10000:
		return FacePassed
	case verifyRet == 10003:
		return FaceIDMismatch
	case verifyRet == 10004:
		return FaceMismatch
	case verifyRet >= 90002 && verifyRet <= 90006, verifyRet == 90024:
		return FaceCancelled
	case verifyRet == 90017, verifyRet == 90107:
		return FaceTimedOut
	}
	return FaceFailed
}

// CertHash is WeChat's cert_hash: the lowercase hex SHA-256 of
// "cert_type=<b64>&cert_name=<b64>&cert_no=<b64>", each value in standard
// base64.
func CertHash(certType, name, no string) string {
	b64 := base64.StdEncoding.EncodeToString
	sum := sha256.Sum256([]byte("cert_type=" + b64([]byte(certType)) +
		"&cert_name=" + b64([]byte(name)) +
		"&cert_no=" + b64([]byte(no))))
	return hex.EncodeToString(sum[:])
}

type certInfo struct {
	Type string `json:"cert_type"`
	Name string `json:"cert_name"`
	No   string `json:"cert_no"`
}

// StartFaceVerification asks WeChat for a verify_id (getverifyid) to hand
// to wx.requestFacialVerify. It returns INVALID naming the field (outSeqNo,
// certName, certNo, openId) for missing or malformed input and INVALID
// without a field when WeChat rejects the arguments (40097, 47001, e.g. a
// reused out_seq_no); RATE_LIMITED (45011); UNAVAILABLE for network
// failures, timeouts and a busy WeChat; INTERNAL otherwise.
func (c *Client) StartFaceVerification(ctx context.Context, req FaceRequest) (string, error) {
	const op = "getverifyid"
	if err := validateFace(req.OutSeqNo, req.CertName, req.CertNo, req.OpenID); err != nil {
		return "", err
	}
	body := struct {
		OutSeqNo string   `json:"out_seq_no"`
		CertInfo certInfo `json:"cert_info"`
		OpenID   string   `json:"openid"`
	}{req.OutSeqNo, certInfo{CertTypeIDCard, req.CertName, req.CertNo}, req.OpenID}
	var res struct {
		ErrCode  int64  `json:"errcode"`
		VerifyID string `json:"verify_id"`
	}
	errcode, err := c.withToken(ctx, op, func(ctx context.Context, token string) (int64, error) {
		res.ErrCode, res.VerifyID = 0, ""
		if err := c.postJSON(ctx, pathGetVerifyID, token, body, &res); err != nil {
			return 0, err
		}
		return res.ErrCode, nil
	})
	switch {
	case err != nil:
		return "", err
	case errcode == wxerr.InvalidArgs || errcode == wxerr.DataFormat:
		return "", c.rejected(ctx, op, errcode, apperr.New(apperr.Invalid, "微信拒绝了身份信息"))
	case errcode != 0:
		return "", c.errcodeFailure(ctx, op, errcode)
	case res.VerifyID == "":
		return "", c.incomplete(ctx, op, "no verify_id")
	}
	return res.VerifyID, nil
}

// QueryFaceVerification pulls the result of a face verification
// (queryverifyinfo), sending cert_hash instead of the ID. A result whose
// identity (out_seq_no, ID or openid) differs from the start is reported as
// outcome ID_MISMATCH, not as an error. It returns INVALID naming the field
// (verifyId, outSeqNo, certName, certNo, openId) for missing or malformed
// input; FAILED_PRECONDITION with reason FACE_VERIFY_ID_USED when the
// verify_id was already queried or has expired, or FACE_VERIFY_ID_INVALID
// when WeChat does not know it; RATE_LIMITED (45011); UNAVAILABLE for network
// failures, timeouts and a busy WeChat; INTERNAL otherwise.
func (c *Client) QueryFaceVerification(ctx context.Context, q FaceQuery) (FaceResult, error) {
	const op = "queryverifyinfo"
	if q.VerifyID == "" || len(q.VerifyID) > 256 {
		return FaceResult{}, apperr.InvalidField("verifyId", "核身编号缺失或过长")
	}
	if err := validateFace(q.OutSeqNo, q.CertName, q.CertNo, q.OpenID); err != nil {
		return FaceResult{}, err
	}
	body := struct {
		VerifyID string `json:"verify_id"`
		OutSeqNo string `json:"out_seq_no"`
		CertHash string `json:"cert_hash"`
		OpenID   string `json:"openid"`
	}{q.VerifyID, q.OutSeqNo, CertHash(CertTypeIDCard, q.CertName, q.CertNo), q.OpenID}
	var res struct {
		ErrCode   int64 `json:"errcode"`
		VerifyRet int   `json:"verify_ret"`
	}
	errcode, err := c.withToken(ctx, op, func(ctx context.Context, token string) (int64, error) {
		res.ErrCode, res.VerifyRet = 0, 0
		if err := c.postJSON(ctx, pathQueryVerifyInfo, token, body, &res); err != nil {
			return 0, err
		}
		return res.ErrCode, nil
	})
	switch {
	case err != nil:
		return FaceResult{}, err
	case errcode == 0:
		out := OutcomeOf(res.VerifyRet)
		c.log.InfoContext(ctx, "wechat face verification result", "op", op, "verify_ret", res.VerifyRet, "outcome", string(out))
		return FaceResult{Passed: res.VerifyRet == 10000, VerifyRet: res.VerifyRet, Outcome: out}, nil
	case errcode == wxerr.IdentityMismatch:
		c.log.WarnContext(ctx, "wechat face verification identity mismatch", "op", op, "errcode", errcode)
		return FaceResult{Outcome: FaceIDMismatch}, nil
	case errcode == wxerr.VerifyIDUsed:
		return FaceResult{}, c.rejected(ctx, op, errcode, apperr.Precondition("FACE_VERIFY_ID_USED", "该人脸核身已核验过或已过期，请重新发起"))
	case errcode == wxerr.VerifyIDInvalid:
		return FaceResult{}, c.rejected(ctx, op, errcode, apperr.Precondition("FACE_VERIFY_ID_INVALID", "微信无此人脸核身记录，请重新发起核身"))
	}
	return FaceResult{}, c.errcodeFailure(ctx, op, errcode)
}

func validateFace(outSeqNo, certName, certNo, openID string) error {
	switch {
	case !outSeqNoPattern.MatchString(outSeqNo):
		return apperr.InvalidField("outSeqNo", "流水号须为 5–32 个字母、数字、_ 或 -")
	case certName == "":
		return apperr.InvalidField("certName", "请填写名称")
	case certNo == "":
		return apperr.InvalidField("certNo", "请填写证件号码")
	case openID == "":
		return apperr.InvalidField("openId", "缺少 openid")
	}
	return nil
}
