package wechat

import (
	"context"
	"strings"
	"testing"

	"creditwater/apperr"
)

// R6.4: config/menu.json deep-links into the mini-program pages and answers
// its CLICK button.
func TestLoadMenuFile_R6_4(t *testing.T) {
	m, err := LoadMenuFile(menuFile)
	if err != nil {
		t.Fatalf("LoadMenuFile(%s): %v", menuFile, err)
	}
	pages := map[string]string{}
	var walk func([]Button)
	walk = func(bs []Button) {
		for _, b := range bs {
			if b.Type == ButtonMiniProgram {
				pages[b.Name] = b.PagePath
			}
			walk(b.SubButtons)
		}
	}
	walk(m.Buttons)
	want := map[string]string{
		"信用办水":   "pages/apply/index",
		"我的信用报告": "pages/credit/report",
		"信用修复":   "pages/credit/repair",
		"异议申诉":   "pages/credit/objection",
		"我的申请":   "pages/apply/mine",
		"用水分析":   "pages/usage/index",
		"公示查询":   "pages/publicity/index",
	}
	for name, page := range want {
		if pages[name] != page {
			t.Errorf("button %s opens %q, want %q", name, pages[name], page)
		}
	}
	reply := m.clickReplies()["HELP"]
	for _, part := range []string{"信用办水", "营业时间", "电话"} {
		if !strings.Contains(reply, part) {
			t.Errorf("HELP reply lacks %q: %s", part, reply)
		}
	}

	_, err = LoadMenuFile("testdata/no-such-menu.json")
	if ae := wantCode(t, err, apperr.Invalid); ae.Field != "file" {
		t.Errorf("field = %q, want file", ae.Field)
	}
}

func TestLoadMenuRejects(t *testing.T) {
	const (
		mp    = `{"type":"miniprogram","name":"办水","pagepath":"pages/apply/index","url":"https://mp.weixin.qq.com"}`
		click = `{"type":"click","name":"指南","key":"HELP","reply":"r"}`
		texts = `,"welcome":"w","help":"h"}`
	)
	menu := func(buttons ...string) string { return `{"button":[` + strings.Join(buttons, ",") + `]` + texts }
	parent := func(subs ...string) string { return `{"name":"服务","sub_button":[` + strings.Join(subs, ",") + `]}` }
	tests := []struct {
		name      string
		in        string
		wantField string
		wantMsg   string
	}{
		{name: "valid", in: menu(mp, parent(mp, click), `{"type":"view","name":"网站","url":"https://example.com/x"}`)},
		{name: "empty file", in: "", wantField: "menu", wantMsg: "为空"},
		{name: "syntax error", in: "{\n\"button\": [,]}", wantField: "menu", wantMsg: "line 2"},
		{name: "unknown field", in: `{"button":[],"colour":"red"}`, wantField: "menu", wantMsg: `unknown field "colour"`},
		{name: "trailing data", in: menu(mp) + "{}", wantField: "menu", wantMsg: "多余内容"},
		{name: "no buttons", in: menu(), wantField: "button", wantMsg: "1 至 3"},
		{name: "four buttons", in: menu(mp, click, `{"type":"click","name":"a","key":"A"}`, `{"type":"click","name":"b","key":"B"}`), wantField: "button", wantMsg: "当前为 4"},
		{name: "six sub-buttons", in: menu(parent(mp, mp, mp, mp, mp, mp)), wantField: "button[0].sub_button", wantMsg: "最多允许 5"},
		{name: "third level", in: menu(parent(parent(mp))), wantField: "button[0].sub_button[0].sub_button", wantMsg: "两级"},
		{name: "parent with a type", in: menu(`{"type":"click","name":"服务","key":"K","sub_button":[` + mp + `]}`), wantField: "button[0]", wantMsg: "只能设置名称"},
		{name: "top name too long", in: menu(`{"type":"click","name":"我的信用报告","key":"K"}`), wantField: "button[0].name", wantMsg: "16 字节"},
		{name: "sub name too long", in: menu(parent(`{"type":"click","name":"` + strings.Repeat("长", 21) + `","key":"K"}`)), wantField: "button[0].sub_button[0].name", wantMsg: "60 字节"},
		{name: "no name", in: menu(`{"type":"click","key":"K"}`), wantField: "button[0].name", wantMsg: "请填写"},
		{name: "no type", in: menu(`{"name":"空"}`), wantField: "button[0].type", wantMsg: "须设置类型"},
		{name: "unsupported type", in: menu(`{"type":"article_id","name":"图","key":"x"}`), wantField: "button[0].type", wantMsg: "不支持的按钮类型"},
		{name: "event spelling instead of button type", in: menu(`{"type":"CLICK","name":"指南","key":"K"}`), wantField: "button[0].type", wantMsg: "不支持的按钮类型"},
		{name: "click without key", in: menu(`{"type":"click","name":"指南"}`), wantField: "button[0].key", wantMsg: "needs a key"},
		{name: "key too long", in: menu(`{"type":"click","name":"指南","key":"` + strings.Repeat("k", 129) + `"}`), wantField: "button[0].key", wantMsg: "128"},
		{name: "duplicate key", in: menu(click, parent(`{"type":"click","name":"又","key":"HELP"}`)), wantField: "button[1].sub_button[0].key", wantMsg: "已被 button[0] 使用"},
		{name: "view without url", in: menu(`{"type":"view","name":"网站"}`), wantField: "button[0].url", wantMsg: "请填写网址"},
		{name: "view with relative url", in: menu(`{"type":"view","name":"网站","url":"/x"}`), wantField: "button[0].url", wantMsg: "完整的 http(s)"},
		{name: "miniprogram without pagepath", in: menu(`{"type":"miniprogram","name":"办水","url":"https://mp.weixin.qq.com"}`), wantField: "button[0].pagepath", wantMsg: "页面路径"},
		{name: "miniprogram without fallback url", in: menu(`{"type":"miniprogram","name":"办水","pagepath":"pages/apply/index"}`), wantField: "button[0].url", wantMsg: "备用网页"},
		{name: "miniprogram with bad appid", in: menu(`{"type":"miniprogram","name":"办水","appid":"nope","pagepath":"p/i","url":"https://mp.weixin.qq.com"}`), wantField: "button[0].appid", wantMsg: "格式不正确"},
		{name: "pagepath with spaces", in: menu(`{"type":"miniprogram","name":"办水","pagepath":"pages/a b","url":"https://mp.weixin.qq.com"}`), wantField: "button[0].pagepath", wantMsg: "格式不正确"},
		{name: "reply on a view button", in: menu(`{"type":"view","name":"网站","url":"https://example.com","reply":"x"}`), wantField: "button[0].reply", wantMsg: "只有 click"},
		{name: "no welcome", in: `{"button":[` + click + `],"help":"h"}`, wantField: "welcome", wantMsg: "请填写"},
		{name: "no help", in: `{"button":[` + click + `],"welcome":"w"}`, wantField: "help", wantMsg: "请填写"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadMenu(strings.NewReader(tt.in))
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("LoadMenu: %v", err)
				}
				return
			}
			ae := wantCode(t, err, apperr.Invalid)
			if ae.Field != tt.wantField || !strings.Contains(ae.Message, tt.wantMsg) {
				t.Errorf("error = field %q, %q; want field %q, message with %q", ae.Field, ae.Message, tt.wantField, tt.wantMsg)
			}
		})
	}
}

func TestMenuClickReplies(t *testing.T) {
	m := Menu{
		Buttons: []Button{
			{Type: ButtonClick, Name: "指南", Key: "HELP", Reply: "guide"},
			{Name: "更多", SubButtons: []Button{{Type: ButtonClick, Name: "电话", Key: "PHONE", Reply: "call us"}, {Type: ButtonClick, Name: "空", Key: "BARE"}}},
		},
		Welcome: "welcome", Help: "help",
	}
	h := MenuClickReplies(m)
	tests := []struct {
		ev   Event
		want string
	}{
		{ev: Event{Type: EventClick, EventKey: "HELP"}, want: "guide"},
		{ev: Event{Type: EventClick, EventKey: "PHONE"}, want: "call us"},
		{ev: Event{Type: EventClick, EventKey: "BARE"}, want: "help"},
		{ev: Event{Type: EventClick, EventKey: "UNKNOWN"}, want: "help"},
		{ev: Event{Type: EventSubscribe}, want: "welcome"},
		{ev: Event{Type: MessageText, Content: "hi"}, want: "help"},
		{ev: Event{Type: EventView, EventKey: "https://example.com"}, want: ""},
		{ev: Event{Type: EventUnsubscribe}, want: ""},
		{ev: Event{Type: "image"}, want: ""},
	}
	for _, tt := range tests {
		got, err := h.HandleEvent(context.Background(), tt.ev)
		if err != nil || got != tt.want {
			t.Errorf("HandleEvent(%+v) = %q, %v; want %q", tt.ev, got, err, tt.want)
		}
	}
}
