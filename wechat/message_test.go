package wechat

import (
	"maps"
	"testing"

	"creditwater/apperr"
	"creditwater/wechat/wxerr"
)

// R4.4: status changes notify the applicant by subscribe message.
func TestSendSubscribeMessage(t *testing.T) {
	good := SubscribeMessage{
		ToUser:     "o-applicant",
		TemplateID: "tpl-status",
		Page:       "pages/apply/detail?id=42",
		Data:       map[string]string{"thing1": "供水申请", "phrase2": "已受理"},
		State:      "trial",
	}
	tests := []struct {
		name       string
		msg        SubscribeMessage
		errcode    int // injected
		want       apperr.Code
		wantField  string
		wantReason string
	}{
		{name: "sent", msg: good},
		{name: "refused subscription", msg: good, errcode: wxerr.SubscribeRefused, want: apperr.FailedPrecondition, wantReason: "SUBSCRIPTION_REFUSED"},
		{name: "unknown openid", msg: good, errcode: wxerr.InvalidOpenID, want: apperr.Invalid, wantField: "toUser"},
		{name: "unknown template", msg: good, errcode: wxerr.InvalidTemplateID, want: apperr.Invalid, wantField: "templateId"},
		{name: "bad data", msg: good, errcode: 47003, want: apperr.Invalid, wantField: "data"},
		{name: "no recipient", msg: SubscribeMessage{TemplateID: "t", Data: map[string]string{"k": "v"}}, want: apperr.Invalid, wantField: "toUser"},
		{name: "no template", msg: SubscribeMessage{ToUser: "o", Data: map[string]string{"k": "v"}}, want: apperr.Invalid, wantField: "templateId"},
		{name: "no data", msg: SubscribeMessage{ToUser: "o", TemplateID: "t"}, want: apperr.Invalid, wantField: "data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.errcode != 0 {
				e.fake.FailNext("/cgi-bin/message/subscribe/send", tt.errcode)
			}
			err := e.client.SendSubscribeMessage(ctx(t), tt.msg)
			ae := wantCode(t, err, tt.want)
			sent := e.fake.SentMessages()
			if tt.want != "" {
				if ae.Field != tt.wantField || ae.Reason != tt.wantReason {
					t.Errorf("field, reason = %q, %q; want %q, %q", ae.Field, ae.Reason, tt.wantField, tt.wantReason)
				}
				if len(sent) != 0 {
					t.Errorf("fake recorded %d messages, want none", len(sent))
				}
				return
			}
			if len(sent) != 1 {
				t.Fatalf("fake recorded %d messages, want 1", len(sent))
			}
			m := sent[0]
			if m.ToUser != good.ToUser || m.TemplateID != good.TemplateID || m.Page != good.Page || m.State != good.State || m.Lang != "zh_CN" || !maps.Equal(m.Data, good.Data) {
				t.Errorf("sent %+v, want %+v", m, good)
			}
		})
	}
}
