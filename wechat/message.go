package wechat

import (
	"context"

	"github.com/silenceper/wechat/v2/miniprogram/subscribe"

	"creditwater/apperr"
	"creditwater/wechat/wxerr"
)

const pathSubscribeSend = "/cgi-bin/message/subscribe/send"

// SubscribeMessage is a mini-program subscribe message (订阅消息).
type SubscribeMessage struct {
	ToUser     string // the recipient's openid
	TemplateID string
	Page       string // optional page opened from the card, e.g. "pages/apply/detail?id=…"
	// Data maps each template keyword (e.g. "thing1", "time2") to its value.
	Data map[string]string
	// State is the miniprogram_state opened from the card: "developer",
	// "trial" or "" for the released version.
	State string
}

// SendSubscribeMessage sends msg (subscribe/send). It returns INVALID for a
// missing recipient (field toUser), template (templateId) or data (data), or
// when WeChat rejects the openid (40003), the template (40037) or the data
// (47003); FAILED_PRECONDITION with reason SUBSCRIPTION_REFUSED when the user
// has not accepted the template (43101); RATE_LIMITED (45011); UNAVAILABLE
// for network failures, timeouts and a busy WeChat; INTERNAL otherwise.
func (c *Client) SendSubscribeMessage(ctx context.Context, msg SubscribeMessage) error {
	const op = "subscribe_send"
	switch {
	case msg.ToUser == "":
		return apperr.InvalidField("toUser", "缺少接收人 openid")
	case msg.TemplateID == "":
		return apperr.InvalidField("templateId", "请填写模板 ID")
	case len(msg.Data) == 0:
		return apperr.InvalidField("data", "请填写模板数据")
	}
	body := subscribe.Message{
		ToUser:           msg.ToUser,
		TemplateID:       msg.TemplateID,
		Page:             msg.Page,
		Data:             make(map[string]*subscribe.DataItem, len(msg.Data)),
		MiniprogramState: msg.State,
		Lang:             "zh_CN",
	}
	for k, v := range msg.Data {
		body.Data[k] = &subscribe.DataItem{Value: v}
	}
	errcode, err := c.withToken(ctx, op, func(ctx context.Context, token string) (int64, error) {
		var res struct {
			ErrCode int64 `json:"errcode"`
		}
		if err := c.postJSON(ctx, pathSubscribeSend, token, body, &res); err != nil {
			return 0, err
		}
		return res.ErrCode, nil
	})
	switch {
	case err != nil:
		return err
	case errcode == 0:
		return nil
	case errcode == wxerr.SubscribeRefused:
		return c.rejected(ctx, op, errcode, apperr.Precondition("SUBSCRIPTION_REFUSED", "该用户未订阅此消息"))
	case errcode == wxerr.InvalidOpenID:
		return c.rejected(ctx, op, errcode, apperr.InvalidField("toUser", "微信无此用户（openid）"))
	case errcode == wxerr.InvalidTemplateID:
		return c.rejected(ctx, op, errcode, apperr.InvalidField("templateId", "微信无此消息模板"))
	case errcode == wxerr.TemplateData:
		return c.rejected(ctx, op, errcode, apperr.InvalidField("data", "微信拒绝了模板数据"))
	}
	return c.errcodeFailure(ctx, op, errcode)
}
