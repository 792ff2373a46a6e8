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
		return Menu{}, &apperr.Error{Code: apperr.Invalid, Field: "file", Message: fmt.Sprintf("cannot read menu file %q", path), Err: err}
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
		return Menu{}, &apperr.Error{Code: apperr.Invalid, Field: "menu", Message: "cannot read the menu", Err: err}
	}
	if len(data) > maxMenuFileBytes {
		return Menu{}, apperr.InvalidField("menu", "menu file is larger than %d bytes", maxMenuFileBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Menu
	if err := dec.Decode(&m); err != nil {
		return Menu{}, apperr.InvalidField("menu", "menu is not valid JSON: %s", jsonProblem(err, data))
	}
	if dec.More() {
		return Menu{}, apperr.InvalidField("menu", "menu has data after its JSON object")
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
		return "the file is empty"
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
		return apperr.InvalidField("button", "a menu has 1 to %d top-level buttons, not %d", maxButtons, len(m.Buttons))
	}
	keys := map[string]string{}
	for i, b := range m.Buttons {
		path := fmt.Sprintf("button[%d]", i)
		if err := b.validate(path, true, keys); err != nil {
			return err
		}
	}
	if strings.TrimSpace(m.Welcome) == "" {
		return apperr.InvalidField("welcome", "the welcome text for new followers is required")
	}
	if strings.TrimSpace(m.Help) == "" {
		return apperr.InvalidField("help", "the help text is required")
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
		return apperr.InvalidField(path+".name", "the button name is required")
	case len(b.Name) > maxName:
		return apperr.InvalidField(path+".name", "button name %q is %d bytes long; WeChat allows %d bytes (a Chinese character takes 3)", b.Name, len(b.Name), maxName)
	}
	if len(b.SubButtons) > 0 {
		return b.validateParent(path, top, keys)
	}
	if b.Reply != "" && b.Type != ButtonClick {
		return apperr.InvalidField(path+".reply", "only click buttons have a reply text")
	}
	switch {
	case b.Type == "":
		return apperr.InvalidField(path+".type", "button %q needs a type (click, view or miniprogram) or sub-buttons", b.Name)
	case b.Type == ButtonClick || keyButtonTypes[b.Type]:
		return b.validateKey(path, keys)
	case b.Type == ButtonView:
		return validateURL(path+".url", b.URL, "the web page of a view button")
	case b.Type == ButtonMiniProgram:
		switch {
		case b.PagePath == "":
			return apperr.InvalidField(path+".pagepath", "miniprogram button %q needs the page path, e.g. pages/apply/index", b.Name)
		case len(b.PagePath) > maxPagePathBytes || !pagePathPattern.MatchString(b.PagePath):
			return apperr.InvalidField(path+".pagepath", "page path %q is malformed (no spaces, at most %d bytes)", b.PagePath, maxPagePathBytes)
		case b.AppID != "" && !appIDPattern.MatchString(b.AppID):
			return apperr.InvalidField(path+".appid", "mini-program app ID %q is malformed (wx and 16 letters or digits)", b.AppID)
		}
		return validateURL(path+".url", b.URL, "the fallback web page of a miniprogram button (for clients that cannot open mini-programs)")
	}
	return apperr.InvalidField(path+".type", "unsupported button type %q (use click, view or miniprogram)", b.Type)
}

func (b Button) validateParent(path string, top bool, keys map[string]string) error {
	switch {
	case !top:
		return apperr.InvalidField(path+".sub_button", "sub-buttons cannot have sub-buttons (WeChat menus have two levels)")
	case b.Type != "" || b.Key != "" || b.URL != "" || b.AppID != "" || b.PagePath != "" || b.Reply != "":
		return apperr.InvalidField(path, "button %q has sub-buttons, so it takes only a name (no type, key, url, appid, pagepath or reply)", b.Name)
	case len(b.SubButtons) > maxSubButtons:
		return apperr.InvalidField(path+".sub_button", "button %q has %d sub-buttons; WeChat allows %d", b.Name, len(b.SubButtons), maxSubButtons)
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
		return apperr.InvalidField(path+".key", "button key is %d bytes long; WeChat allows %d", len(b.Key), maxKeyBytes)
	}
	if other, dup := keys[b.Key]; dup {
		return apperr.InvalidField(path+".key", "key %q is already used by %s", b.Key, other)
	}
	keys[b.Key] = path
	return nil
}

func validateURL(field, raw, what string) error {
	if raw == "" {
		return apperr.InvalidField(field, "a URL is required: %s", what)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return apperr.InvalidField(field, "URL %q must be an absolute http(s) URL", raw)
	case len(raw) > maxURLBytes:
		return apperr.InvalidField(field, "URL is %d bytes long; WeChat allows %d", len(raw), maxURLBytes)
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
