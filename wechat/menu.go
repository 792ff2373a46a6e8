package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strings"

	"creditwater/apperr"
)

// Menu button types WeChat supports and this package validates.
const (
	ButtonClick       = "click"       // pushes a CLICK event with the button's key
	ButtonView        = "view"        // opens a web page
	ButtonMiniProgram = "miniprogram" // opens a mini-program page
)

// keyButtonTypes are the other button types that, like click, push an event
// with the button's key.
var keyButtonTypes = map[string]bool{
	"scancode_push": true, "scancode_waitmsg": true, "pic_sysphoto": true,
	"pic_photo_or_album": true, "pic_weixin": true, "location_select": true,
}

// WeChat's limits on custom menus (自定义菜单), in bytes of UTF-8 where a
// length is meant.
const (
	maxButtons       = 3
	maxSubButtons    = 5
	maxTopNameBytes  = 16
	maxSubNameBytes  = 60
	maxKeyBytes      = 128
	maxURLBytes      = 1024
	maxPagePathBytes = 1024
	maxMenuFileBytes = 1 << 20
)

var (
	appIDPattern    = regexp.MustCompile(`^wx[0-9A-Za-z]{16}$`)
	pagePathPattern = regexp.MustCompile(`^[^\s]+$`)
)

// Menu is the official account's custom menu together with the texts the
// default event handler answers (see MenuClickReplies). It is read from
// config/menu.json by LoadMenuFile.
type Menu struct {
	// Buttons are the top-level buttons (1 to 3).
	Buttons []Button `json:"button"`
	// Welcome answers a new follower (the subscribe event).
	Welcome string `json:"welcome"`
	// Help answers text messages and CLICK events whose key has no reply.
	Help string `json:"help"`
}

// Button is one menu button. A button with SubButtons is a parent and has no
// type; every other button needs a type and that type's fields: Key for click
// (and the scan/photo/location types), URL for view, PagePath and a fallback
// URL for miniprogram (for clients that cannot open mini-programs).
type Button struct {
	Type string `json:"type,omitempty"`
	Name string `json:"name"`
	Key  string `json:"key,omitempty"`
	URL  string `json:"url,omitempty"`
	// AppID is the mini-program of a miniprogram button; when empty,
	// PushMenu uses OAConfig.MiniProgramAppID.
	AppID    string `json:"appid,omitempty"`
	PagePath string `json:"pagepath,omitempty"`
	// Reply is the text MenuClickReplies answers a click on this button
	// with. It stays on the server: PushMenu does not send it to WeChat.
	Reply      string   `json:"reply,omitempty"`
	SubButtons []Button `json:"sub_button,omitempty"`
}

// LoadMenuFile reads and validates the menu file at path (see LoadMenu). It
// returns INVALID (field file) when the file cannot be read, and LoadMenu's
// errors otherwise.
func LoadMenuFile(path string) (Menu, error) {
	f, err := os.Open(path)
	if err != nil {
		return Menu{}, &apperr.Error{Code: apperr.Invalid, Field: "file", Message: fmt.Sprintf("无法读取菜单文件 %q", path), Err: err}
	}
	defer f.Close()
	return LoadMenu(f)
}

// LoadMenu decodes a menu (JSON, at most 1 MiB, no unknown fields) and
// validates it (see Menu.Validate). It returns INVALID (field menu) for
// malformed JSON and Validate's errors otherwise.
func LoadMenu(r io.Reader) (Menu, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxMenuFileBytes+1))
	if err != nil {
		return Menu{}, &apperr.Error{Code: apperr.Invalid, Field: "menu", Message: "无法读取菜单", Err: err}
	}
	if len(data) > maxMenuFileBytes {
		return Menu{}, apperr.InvalidField("menu", "菜单文件超过 %d 字节", maxMenuFileBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Menu
	if err := dec.Decode(&m); err != nil {
		return Menu{}, apperr.InvalidField("menu", "菜单不是有效的 JSON：%s", jsonProblem(err, data))
	}
	if dec.More() {
		return Menu{}, apperr.InvalidField("menu", "菜单 JSON 对象之后还有多余内容")
	}
	if err := m.Validate(); err != nil {
		return Menu{}, err
	}
	return m, nil
}

// jsonProblem describes a decoding error of a menu file, with a line number
// for syntax errors.
func jsonProblem(err error, data []byte) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Sprintf("%s (line %d)", se.Error(), line)
	}
	if errors.Is(err, io.EOF) {
		return "文件为空"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// Validate checks m against WeChat's rules for custom menus: 1 to 3
// top-level buttons, 1 to 5 sub-buttons under a parent and no deeper levels,
// names of at most 16 bytes (top level) or 60 bytes (sub-buttons), and the
// fields each button type requires (keys up to 128 bytes and unique; http(s)
// URLs up to 1024 bytes; mini-program page paths and app IDs well formed).
// Welcome and Help must be set. It returns INVALID whose field is the path to
// the fault, e.g. "button[1].sub_button[0].pagepath", and whose message says
// what is wrong.
func (m Menu) Validate() error {
	if len(m.Buttons) == 0 || len(m.Buttons) > maxButtons {
		return apperr.InvalidField("button", "菜单须有 1 至 %d 个一级按钮，当前为 %d 个", maxButtons, len(m.Buttons))
	}
	keys := map[string]string{}
	for i, b := range m.Buttons {
		path := fmt.Sprintf("button[%d]", i)
		if err := b.validate(path, true, keys); err != nil {
			return err
		}
	}
	if strings.TrimSpace(m.Welcome) == "" {
		return apperr.InvalidField("welcome", "请填写关注欢迎语")
	}
	if strings.TrimSpace(m.Help) == "" {
		return apperr.InvalidField("help", "请填写帮助文字")
	}
	return nil
}

// validate checks one button; keys maps the click keys seen so far to the
// path of their button.
func (b Button) validate(path string, top bool, keys map[string]string) error {
	maxName := maxSubNameBytes
	if top {
		maxName = maxTopNameBytes
	}
	switch {
	case strings.TrimSpace(b.Name) == "":
		return apperr.InvalidField(path+".name", "请填写按钮名称")
	case len(b.Name) > maxName:
		return apperr.InvalidField(path+".name", "按钮名称 %q 长 %d 字节，微信最多允许 %d 字节（一个汉字占 3 字节）", b.Name, len(b.Name), maxName)
	}
	if len(b.SubButtons) > 0 {
		return b.validateParent(path, top, keys)
	}
	if b.Reply != "" && b.Type != ButtonClick {
		return apperr.InvalidField(path+".reply", "只有 click 按钮才有回复文字")
	}
	switch {
	case b.Type == "":
		return apperr.InvalidField(path+".type", "按钮 %q 须设置类型（click、view 或 miniprogram）或子按钮", b.Name)
	case b.Type == ButtonClick || keyButtonTypes[b.Type]:
		return b.validateKey(path, keys)
	case b.Type == ButtonView:
		return validateURL(path+".url", b.URL, "view 按钮的网页")
	case b.Type == ButtonMiniProgram:
		switch {
		case b.PagePath == "":
			return apperr.InvalidField(path+".pagepath", "小程序按钮 %q 须填写页面路径，例如 pages/apply/index", b.Name)
		case len(b.PagePath) > maxPagePathBytes || !pagePathPattern.MatchString(b.PagePath):
			return apperr.InvalidField(path+".pagepath", "页面路径 %q 格式不正确（不能含空格，最多 %d 字节）", b.PagePath, maxPagePathBytes)
		case b.AppID != "" && !appIDPattern.MatchString(b.AppID):
			return apperr.InvalidField(path+".appid", "小程序 AppID %q 格式不正确（应为 wx 加 16 位字母或数字）", b.AppID)
		}
		return validateURL(path+".url", b.URL, "小程序按钮的备用网页（供无法打开小程序的客户端使用）")
	}
	return apperr.InvalidField(path+".type", "不支持的按钮类型 %q（请使用 click、view 或 miniprogram）", b.Type)
}

func (b Button) validateParent(path string, top bool, keys map[string]string) error {
	switch {
	case !top:
		return apperr.InvalidField(path+".sub_button", "子按钮不能再有子按钮（微信菜单只有两级）")
	case b.Type != "" || b.Key != "" || b.URL != "" || b.AppID != "" || b.PagePath != "" || b.Reply != "":
		return apperr.InvalidField(path, "按钮 %q 含子按钮，只能设置名称（不能设置 type、key、url、appid、pagepath 或 reply）", b.Name)
	case len(b.SubButtons) > maxSubButtons:
		return apperr.InvalidField(path+".sub_button", "按钮 %q 有 %d 个子按钮，微信最多允许 %d 个", b.Name, len(b.SubButtons), maxSubButtons)
	}
	for j, sb := range b.SubButtons {
		if err := sb.validate(fmt.Sprintf("%s.sub_button[%d]", path, j), false, keys); err != nil {
			return err
		}
	}
	return nil
}

func (b Button) validateKey(path string, keys map[string]string) error {
	switch {
	case b.Key == "":
		return apperr.InvalidField(path+".key", "%s button %q needs a key", b.Type, b.Name)
	case len(b.Key) > maxKeyBytes:
		return apperr.InvalidField(path+".key", "按钮 key 长 %d 字节，微信最多允许 %d 字节", len(b.Key), maxKeyBytes)
	}
	if other, dup := keys[b.Key]; dup {
		return apperr.InvalidField(path+".key", "按钮 key %q 已被 %s 使用", b.Key, other)
	}
	keys[b.Key] = path
	return nil
}

func validateURL(field, raw, what string) error {
	if raw == "" {
		return apperr.InvalidField(field, "请填写网址：%s", what)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return apperr.InvalidField(field, "网址 %q 须为完整的 http(s) 地址", raw)
	case len(raw) > maxURLBytes:
		return apperr.InvalidField(field, "网址长 %d 字节，微信最多允许 %d 字节", len(raw), maxURLBytes)
	}
	return nil
}

// clickReplies returns the reply text of every click button, by key.
func (m Menu) clickReplies() map[string]string {
	out := map[string]string{}
	var walk func([]Button)
	walk = func(bs []Button) {
		for _, b := range bs {
			if b.Type == ButtonClick && b.Reply != "" {
				out[b.Key] = b.Reply
			}
			walk(b.SubButtons)
		}
	}
	walk(m.Buttons)
	return out
}

// MenuClickReplies returns the default EventHandler: a CLICK event is
// answered with the Reply of the click button of that key (m.Help for an
// unknown key or a button without reply), a subscribe event with m.Welcome,
// a text message with m.Help; every other event or message gets no reply.
// It never returns an error.
func MenuClickReplies(m Menu) EventHandler {
	replies := m.clickReplies()
	welcome, help := m.Welcome, m.Help
	return EventHandlerFunc(func(_ context.Context, ev Event) (string, error) {
		switch {
		case strings.EqualFold(ev.Type, EventClick):
			if r, ok := replies[ev.EventKey]; ok {
				return r, nil
			}
			return help, nil
		case strings.EqualFold(ev.Type, EventSubscribe):
			return welcome, nil
		case ev.Type == MessageText:
			return help, nil
		}
		return "", nil
	})
}
