// Package wxerr names the WeChat API errcodes creditwater meets: package
// wechat maps them to apperr errors and wechat/fake returns them, so the
// two read the numbers from one list. The face-verification codes (84001–
// 84003) are an assumption: WeChat documents no numeric codes for those
// cases, so check them against the live API before launch.
package wxerr

// The errcodes, by number.
const (
	SystemBusy                = -1
	InvalidCredential         = 40001 // access_token invalid or not the latest
	InvalidGrantType          = 40002
	InvalidOpenID             = 40003
	InvalidAppID              = 40013
	InvalidToken              = 40014
	InvalidButtonSize         = 40016 // menu: not 1 to 3 top-level buttons
	InvalidButtonType         = 40017
	InvalidButtonNameSize     = 40018
	InvalidSubButtonSize      = 40023 // menu: not 1 to 5 sub-buttons
	InvalidSubButtonURLSize   = 40027 // the last of the menu's 40016–40027
	InvalidCode               = 40029
	InvalidTemplateID         = 40037
	InvalidSubButtonURLDomain = 40054
	InvalidButtonURLDomain    = 40055
	InvalidArgs               = 40097
	InvalidSecret             = 40125
	CodeUsed                  = 40163
	InvalidPagePath           = 40165 // the page is not in the released mini-program
	HighRiskUser              = 40226
	MissingAccessToken        = 41001
	MissingAppID              = 41002
	MissingSecret             = 41004
	MissingCode               = 41008
	AccessTokenExpired        = 42001
	SubscribeRefused          = 43101 // the user has not accepted this subscribe template
	DailyQuota                = 45009
	RateLimited               = 45011
	DataFormat                = 47001
	TemplateData              = 47003
	APIUnauthorized           = 48001 // the account may not call this API (e.g. set menus)

	VerifyIDInvalid  = 84001 // unknown verify_id
	VerifyIDUsed     = 84002 // verify_id already queried or expired
	IdentityMismatch = 84003 // out_seq_no, cert_hash or openid differ from getverifyid
)
